import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/free-port.ts';
import { startRedis, stopRedis } from '../helpers/redis-server.ts';
import { callTool, type RunningTestServer, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

/** About 300 o200k tokens, read in full by every budgeted call. */
const NOTES = Array.from({ length: 24 }, (_, i) => `Note ${i}: the pipeline ships service ${i % 5}.`).join(
  '\n',
);

async function status(srv: RunningTestServer, as: string): Promise<number> {
  const res = await srv.request('/v1/tools', { as });
  await res.arrayBuffer();
  return res.status;
}

describe('Redis stopped and started under a running server', () => {
  let port: number;
  let redis: ChildProcess;
  let srv: RunningTestServer;
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    const profile = join(mkdtempSync(join(tmpdir(), 'profile-')), 'team.toml');
    writeFileSync(profile, '[budget]\nmax_context_tokens = 1000\n');
    srv = await startTestServer({
      files: { ...SAMPLE_FILES, 'docs/notes.md': NOTES },
      tokens: [
        { id: 'rl', role: 'admin' },
        { id: 'spender', role: 'admin' },
        { id: 'reader', role: 'admin' },
        { id: 'ops', role: 'admin' },
      ],
      config: {
        redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: 'outage:' },
        sessionSecret: 's'.repeat(40),
        maxRps: 0.001,
        rateBurst: 5,
        profile,
      },
    });
    // the link connects in the background: a request before it is ready would pass unchecked
    while ((await srv.request('/healthz')).status !== 200) await new Promise((r) => setTimeout(r, 20));
  });
  after(async () => {
    await srv?.close();
    await stopRedis(redis);
  });

  test('rate limits fail open (counted), budgets stay enforced, reads send full content; limits return with Redis', async () => {
    const first = [];
    for (let i = 0; i < 7; i++) first.push(await status(srv, 'rl'));
    assert.deepEqual(first, [200, 200, 200, 200, 200, 429, 429], 'Redis up: the bucket of 5 holds');

    await stopRedis(redis);
    const during = [];
    for (let i = 0; i < 6; i++) during.push(await status(srv, 'rl'));
    assert.deepEqual(during, [200, 200, 200, 200, 200, 200], 'Redis down: rate limits fail open');
    const metrics = await (await srv.request('/v1/metrics?format=prometheus', { as: 'ops' })).text();
    const failOpen = Number(/leanctx_ratelimit_fail_open_total\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
    assert.ok(failOpen >= 6, `fail-open passes are counted (${failOpen})`);
    // /healthz names the failing dependency; /health stays the cheap liveness answer
    const healthz = await srv.request('/healthz');
    assert.equal(healthz.status, 503);
    const health = (await healthz.json()) as {
      error_code: string;
      dependencies: Record<string, { ok: boolean }>;
    };
    assert.equal(health.error_code, 'store_unavailable');
    assert.equal(health.dependencies.redis?.ok, false);
    assert.equal((await srv.request('/health')).status, 200);

    // budgets live in the store, not in Redis: an exhausted budget still refuses (never fails open)
    const answers: number[] = [];
    for (let i = 0; i < 10 && !answers.includes(429); i++) {
      const res = await callTool(srv, 'spender', {
        name: 'ctx_read',
        arguments: { path: 'docs/notes.md', mode: 'full' },
      });
      const body = (await res.json()) as { error_code?: string };
      answers.push(res.status);
      if (res.status === 429) assert.equal(body.error_code, 'budget_exhausted');
    }
    assert.ok(answers.includes(429), `the budget ran out while Redis was down: ${answers.join(',')}`);

    // what a context was sent cannot be checked: it gets the content, never a stub it may not back
    const read = { name: 'ctx_read', arguments: { path: 'src/index.ts', mode: 'full' }, contextId: 'c1' };
    for (let i = 0; i < 2; i++) {
      const body = (await (await callTool(srv, 'reader', read)).json()) as {
        result: { content: { text: string }[] };
      };
      assert.match(body.result.content[0]?.text ?? '', /return 42/);
    }

    redis = await startRedis(port);
    // the server reconnects by itself; the fresh Redis holds full buckets, so a 429 comes back
    const after: number[] = [];
    for (let i = 0; i < 200 && !after.includes(429); i++) {
      after.push(await status(srv, 'ops'));
      if (after.length % 10 === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(after.includes(429), 'rate limits are enforced again once Redis is back');
    const healthy = (await (await srv.request('/healthz')).json()) as {
      dependencies: Record<string, { ok: boolean }>;
    };
    assert.equal(healthy.dependencies.redis?.ok, true);
    assert.ok(after.filter((s) => s === 200).length >= 5);
    // and the read state is shared again: a second read in a new context is a stub
    const again = { ...read, contextId: 'c2' };
    await callTool(srv, 'reader', again);
    const stub = (await (await callTool(srv, 'reader', again)).json()) as {
      result: { content: { text: string }[] };
    };
    assert.match(stub.result.content[0]?.text ?? '', /unchanged/);
  });
});
