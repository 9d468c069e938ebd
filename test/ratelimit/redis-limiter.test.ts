import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import { createRedisLimiter } from '../../src/ratelimit/shared-limiter.ts';
import { createRedisLink } from '../../src/store/redis/redis-link.ts';
import { deleteKeys, uniquePrefix } from '../helpers/replicas.ts';

const URL = 'redis://127.0.0.1:6379';
const keyPrefix = uniquePrefix();
const links = [0, 1, 2].map(() =>
  createRedisLink({ url: URL, keyPrefix, readStateTtlSec: 60 }, silentLogger),
);
after(async () => {
  await Promise.all(links.map((l) => l.close()));
  assert.ok((await deleteKeys(URL, keyPrefix)) > 0, 'the test wrote keys under its own prefix');
});

const waitReady = async () => {
  for (let i = 0; i < 100 && !links.every((l) => l.isReady()); i++)
    await new Promise((r) => setTimeout(r, 20));
};

test('three limiters on one Redis spend one bucket: exactly the burst passes, in any interleaving', async () => {
  await waitReady();
  let failedOpen = 0;
  const limiters = links.map((l) => createRedisLimiter(l, 0.001, 60, () => failedOpen++));
  const decisions = await Promise.all(
    Array.from({ length: 180 }, (_, i) => limiters[i % 3]?.take('token:shared') ?? Promise.reject()),
  );
  assert.equal(failedOpen, 0);
  assert.equal(decisions.filter((d) => d.ok).length, 60);
  const refused = decisions.find((d) => !d.ok);
  assert.ok((refused?.retryAfterSec ?? 0) >= 1, 'a refusal says when to retry');
  // another key has its own bucket
  assert.equal((await limiters[0]?.take('token:other'))?.ok, true);
});

test('a batch costs its size at once, or nothing when the bucket holds less', async () => {
  const limiter = createRedisLimiter(links[0] as (typeof links)[0], 0.001, 10, () =>
    assert.fail('Redis is up'),
  );
  assert.equal((await limiter.take('token:batch', 8)).ok, true);
  assert.equal((await limiter.take('token:batch', 3)).ok, false);
  assert.equal((await limiter.take('token:batch', 2)).ok, true);
});

test('with Redis unreachable from the start, calls pass (counted as fail-open) and the link still closes', async () => {
  // port 1: nothing listens, every connection attempt is refused
  const dead = createRedisLink({ url: 'redis://127.0.0.1:1', keyPrefix, readStateTtlSec: 60 }, silentLogger);
  let failedOpen = 0;
  const limiter = createRedisLimiter(dead, 0.001, 1, () => failedOpen++);
  const decisions = [await limiter.take('token:x'), await limiter.take('token:x')];
  assert.deepEqual(
    decisions.map((d) => d.ok),
    [true, true],
  );
  assert.equal(failedOpen, 2);
  await dead.close();
  assert.equal(dead.isReady(), false);
});
