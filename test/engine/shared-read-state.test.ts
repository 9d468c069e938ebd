import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCacheOf } from '../../src/engine/read/cache.ts';
import { createRedisReadState } from '../../src/engine/read/shared-read-state.ts';
import { createWorkspace } from '../../src/engine/workspace.ts';
import { silentLogger } from '../../src/logger.ts';
import { createRedisLink } from '../../src/store/redis/redis-link.ts';
import { deleteKeys, uniquePrefix } from '../helpers/replicas.ts';

const URL = 'redis://127.0.0.1:6379';
const keyPrefix = uniquePrefix();
const dir = mkdtempSync(join(tmpdir(), 'leanctx-read-state-'));
const links = [0, 1].map(() => createRedisLink({ url: URL, keyPrefix, readStateTtlSec: 60 }, silentLogger));
after(async () => {
  await Promise.all(links.map((l) => l.close()));
  await deleteKeys(URL, keyPrefix);
  rmSync(dir, { recursive: true, force: true });
});

/** Replica i: its own workspace object (its own read cache) on the same root, and its own link. */
const replica = (i: number) => {
  const ws = createWorkspace({ id: 'main', root: dir, dataDir: join(dir, `.data-${i}`) });
  const failures: unknown[] = [];
  const sync = createRedisReadState(links[i] as (typeof links)[number], (err) => failures.push(err));
  return { ws, cache: readCacheOf(ws), sync, failures };
};

const SCOPE = 'alice\u0000ctx-1';
const seqOf = async () => {
  const key = `${keyPrefix}read:main:${createHash('sha1').update(SCOPE).digest('hex')}`;
  return Number(await links[0]?.run('test', (c) => c.hGet(key, '~seq')));
};

/** What ctx_read does to the record when it answers with a stub: only counters move. */
const stubRead = (cache: ReturnType<typeof readCacheOf>) => {
  const d = cache.touch(SCOPE, 'a.ts');
  d.reads++;
  d.lastMode = 'full';
};

test('a context restored from another replica is not pushed back by a stub read; a new hash is', async () => {
  for (let i = 0; i < 100 && !links.every((l) => l.isReady()); i++)
    await new Promise((r) => setTimeout(r, 20));
  const a = replica(0);
  const b = replica(1);

  await a.sync.pull(a.ws, SCOPE);
  a.cache.setFull(SCOPE, 'a.ts', 'hash-1', 'text 1');
  await a.sync.push(a.ws, SCOPE);
  assert.equal(await seqOf(), 1, 'the first full read is shared');

  await b.sync.pull(b.ws, SCOPE);
  assert.equal(b.cache.get(SCOPE, 'a.ts')?.fullHash, 'hash-1', 'B holds what A sent');
  for (let i = 0; i < 3; i++) {
    stubRead(b.cache);
    await b.sync.push(b.ws, SCOPE);
    await a.sync.pull(a.ws, SCOPE);
    stubRead(a.cache);
    await a.sync.push(a.ws, SCOPE);
    await b.sync.pull(b.ws, SCOPE);
  }
  assert.equal(await seqOf(), 1, 'stub reads alternating between replicas share nothing new');

  b.cache.setFull(SCOPE, 'a.ts', 'hash-2', 'text 2');
  await b.sync.push(b.ws, SCOPE);
  assert.equal(await seqOf(), 2, 'a changed file is shared');
  await a.sync.pull(a.ws, SCOPE);
  assert.equal(a.cache.get(SCOPE, 'a.ts')?.fullHash, 'hash-2', 'A now holds what B sent');
  assert.deepEqual([...a.failures, ...b.failures], []);
});
