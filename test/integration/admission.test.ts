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

/** Calls of each Redis command since the last CONFIG RESETSTAT. */
async function commandCalls(url: string): Promise<Record<string, number>> {
  const client = createClient({ url });
  await client.connect();
  try {
    const info = await client.info('commandstats');
    const calls: Record<string, number> = {};
    for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[m[1] as string] = Number(m[2]);
    return calls;
  } finally {
    await client.close();
  }
}

async function resetStats(url: string): Promise<void> {
  const client = createClient({ url });
  await client.connect();
  await client.configResetStat();
  await client.close();
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
    await resetStats(url);
    for (let i = 0; i < 10; i++) {
      const body = (await (await callTool(srv, 'reader', read)).json()) as {
        result: { content: { text: string }[] };
      };
      assert.match(body.result.content[0]?.text ?? '', /unchanged/);
    }
    const calls = await commandCalls(url);
    assert.equal(calls.evalsha, 10, `one script run per call: ${JSON.stringify(calls)}`);
    assert.equal(calls.hget ?? 0, 0, 'the read state sequence came with the admission');
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
