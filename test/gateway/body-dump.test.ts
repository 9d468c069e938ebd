import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectLazyMcp, SERVERS, tempDir, textOf, writeServersJson } from '../helpers/gateway-servers.ts';

const SECRET = 's3cr3t-value-for-the-dump';

/** Runs lazy-mcp over stdio with `logging`, makes two calls, and returns its stderr lines. */
async function stderrOf(logging: Record<string, unknown>): Promise<{ lines: string[]; env: string }> {
  const config = writeServersJson(tempDir(), {
    servers: [{ ...SERVERS.fixture(), env: { API_KEY: '${LEANCTX_DUMP_SECRET}' } }],
    logging,
  });
  const lazy = await connectLazyMcp(['--config', config], { env: { LEANCTX_DUMP_SECRET: SECRET } });
  const call = (args: Record<string, unknown>) => lazy.call('invoke_command', { server: 'fixture', ...args });
  try {
    await call({ command: 'echo', parameters: { text: 'hello dump', token: 'tok-abcdef-123' } });
    const env = textOf(await call({ command: 'env' }));
    await new Promise((r) => setTimeout(r, 100));
    return { lines: lazy.stderr().split('\n').filter(Boolean), env };
  } finally {
    await lazy.close();
  }
}

describe('logging.dumpBodies', () => {
  test('every message on both sides is logged, redacted and cut at maxBodyLogBytes', async () => {
    const { lines, env } = await stderrOf({ dumpBodies: true, maxBodyLogBytes: 400 });
    assert.equal(JSON.parse(env).API_KEY, SECRET, 'the client itself gets the real answer');
    const bodies = lines.map((l) => JSON.parse(l)).filter((r) => typeof r.body === 'string');
    const msgs = new Set(bodies.map((r) => r.msg));
    for (const side of [
      'client → gateway',
      'gateway → client',
      'gateway → downstream',
      'downstream → gateway',
    ]) {
      assert.ok(msgs.has(side), `dumps for ${side}`);
    }
    const echo = bodies.find((r) => r.msg === 'client → gateway' && r.body.includes('hello dump'));
    assert.ok(echo, 'the tool call arguments are in the dump');
    assert.match(echo.body, /"token":"\[REDACTED\]"/);
    const stderr = lines.join('\n');
    assert.ok(!stderr.includes('tok-abcdef-123'), 'a secret-named key is redacted');
    assert.ok(!stderr.includes(SECRET), "a server's env value is masked wherever it appears");
    const cut = bodies.filter((r) => /…\(\d+ more bytes\)$/.test(r.body));
    assert.ok(cut.length > 0, 'the env answer is longer than 400 bytes and was cut');
    for (const r of bodies) {
      const kept = r.body.replace(/…\(\d+ more bytes\)$/, '');
      assert.ok(Buffer.byteLength(kept) <= 400, `${Buffer.byteLength(kept)} bytes kept`);
    }
  });

  test('without dumpBodies no body is logged', async () => {
    const { lines } = await stderrOf({ level: 'debug' });
    assert.ok(lines.length > 0);
    assert.equal(lines.filter((l) => l.includes('"body"')).length, 0);
  });
});
