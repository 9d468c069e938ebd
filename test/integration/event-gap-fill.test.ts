import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { deleteKeys, uniquePrefix } from '../helpers/replicas.ts';
import { type Frame, readFrames } from '../helpers/sse.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const keyPrefix = uniquePrefix();
const servers: RunningTestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await deleteKeys(REDIS_URL, keyPrefix);
});

test('events whose wake-up never came are read from the store before the next one, in revision order', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'leanctx-gap-'));
  const redis = { url: REDIS_URL, keyPrefix };
  const start = (withRedis: boolean) =>
    startTestServer({
      tokens: [{ id: 'alice', role: 'admin' }],
      keepAliveMs: 100,
      config: { dataDir, ...(withRedis ? { redis, sessionSecret: 'g'.repeat(40) } : {}) },
    });
  // A and C announce their events; B writes to the same store and announces nothing,
  // as if every one of its messages had been lost.
  const a = await start(true);
  servers.push(a);
  const b = await start(false);
  servers.push(b);
  const c = await start(true);
  servers.push(c);

  const res = await a.request('/v1/events?channelId=gap&since=0', { as: 'alice' });
  assert.equal(res.status, 200);
  const calls = (fs: Frame[]) => fs.filter((f) => f.event === 'tool_call_recorded').length;
  // read until C's event, the newest, has been sent (keep-alives re-check this)
  let newest = Number.POSITIVE_INFINITY;
  const reading = readFrames(res, (fs) => fs.some((f) => Number(f.id) >= newest));
  await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 3; i++)
    assert.equal((await callTool(b, 'alice', { name: 'ctx_tree', channelId: 'gap' })).status, 200);
  // B's events are stored (after its answers), yet none has reached A's stream
  const stored = async () =>
    (await a.server.deps.store.events.since('main', 'gap', 0, 100)).filter(
      (e) => e.kind === 'tool_call_recorded',
    ).length;
  for (let i = 0; i < 100 && (await stored()) < 3; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(await stored(), 3);
  assert.equal((await callTool(c, 'alice', { name: 'ctx_tree', channelId: 'gap' })).status, 200);
  for (let i = 0; i < 100 && (await stored()) < 4; i++) await new Promise((r) => setTimeout(r, 50));
  newest = await a.server.deps.store.events.latestRevision('main', 'gap');
  const frames = (await reading).filter((f) => f.event);
  const ids = frames.map((f) => Number(f.id));
  assert.equal(calls(frames), 4);
  assert.deepEqual(
    ids,
    ids.map((_, i) => i + 1),
  );
});
