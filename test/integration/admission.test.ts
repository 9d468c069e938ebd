import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { freePort, startRedis, stopRedis } from '../helpers/redis-server.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const READ_ONLY_SPEC = {
  name: 'read-only',
  initial: 'reading',
  states: {
    reading: { allowed_tools: ['ctx_read', 'ctx_workflow'], transitions: ['writing'], requires_evidence: [] },
  },
};

/**
 * The commands clients send to Redis while `fn` runs (MONITOR; commands a script runs are
 * left out), by name.
 */
async function commandsSent(url: string, fn: () => Promise<void>): Promise<Record<string, number>> {
  const client = createClient({ url });
  const probe = createClient({ url });
  await Promise.all([client.connect(), probe.connect()]);
  const sent: Record<string, number> = {};
  let marker = false;
  await client.monitor((line: string) => {
    // 1700000000.123456 [0 127.0.0.1:5000] "evalsha" "…" — a script's own commands say [0 lua]
    const m = /^\S+ \[\d+ ([^\]]+)\] "([^"]+)"/.exec(line);
    if (!m || m[1] === 'lua') return;
    const name = (m[2] as string).toLowerCase();
    if (name === 'echo') marker = true;
    else sent[name] = (sent[name] ?? 0) + 1;
  });
  try {
    await fn();
    // MONITOR lines arrive after the commands: wait for one sent last
    await probe.echo('done');
    while (!marker) await new Promise((r) => setTimeout(r, 10));
  } finally {
    client.destroy();
    probe.destroy();
  }
  return sent;
}

describe('tool-call admission: one Redis round trip per call', () => {
  let url: string;
  let port: number;
  let redis: ChildProcess;
  let srv: RunningTestServer;
  before(async () => {
    port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    redis = await startRedis(port);
    srv = await startTestServer({
      tokens: [
        { id: 'reader', role: 'admin' },
        { id: 'agent', role: 'admin' },
      ],
      config: { redis: { url, keyPrefix: 'admission:' }, maxRps: 1000, rateBurst: 1000 },
    });
  });
  after(async () => {
    await srv?.close();
    await stopRedis(redis);
  });

  test('a re-read in a known context costs one script run: rate limit, workflow generation and read state together', async () => {
    const read = { name: 'ctx_read', arguments: { path: 'src/index.ts', mode: 'full' }, contextId: 'c1' };
    assert.equal((await callTool(srv, 'reader', read)).status, 200);
    const sent = await commandsSent(url, async () => {
      for (let i = 0; i < 10; i++) {
        const body = (await (await callTool(srv, 'reader', read)).json()) as {
          result: { content: { text: string }[] };
        };
        assert.match(body.result.content[0]?.text ?? '', /unchanged/);
      }
    });
    // besides the script, only the event fan-out (SQLite + Redis) publishes
    const { evalsha, publish, ...others } = sent;
    assert.equal(evalsha, 10, `one script run per call: ${JSON.stringify(sent)}`);
    assert.deepEqual(others, {}, 'no other round trip: the read state sequence came with the admission');
    assert.ok((publish ?? 0) <= 10);
  });

  test('a workflow started while Redis is stopped is enforced at once, and still once Redis is back empty', async () => {
    const search = { name: 'ctx_search', arguments: { pattern: 'main' }, contextId: 'w1' };
    const workflow = (args: Record<string, unknown>) =>
      callTool(srv, 'agent', { name: 'ctx_workflow', arguments: args, contextId: 'w1' });
    assert.equal((await callTool(srv, 'agent', search)).status, 200, 'no workflow yet: allowed (and cached)');
    await stopRedis(redis);
    try {
      assert.equal((await workflow({ action: 'start', spec: READ_ONLY_SPEC })).status, 200);
      const denied = await callTool(srv, 'agent', search);
      assert.equal(denied.status, 403);
      assert.equal(((await denied.json()) as { error_code: string }).error_code, 'workflow_denied');
    } finally {
      redis = await startRedis(port);
    }
    for (let i = 0; i < 3; i++) assert.equal((await callTool(srv, 'agent', search)).status, 403);
    assert.equal((await workflow({ action: 'stop' })).status, 200);
    assert.equal((await callTool(srv, 'agent', search)).status, 200);
  });
});
