import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimiter } from '../../src/ratelimit/token-bucket.ts';

test('a bucket allows the burst, then refills at the rate, per key', () => {
  let now = 0;
  const limiter = createRateLimiter(2, 3, () => now);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.take('a').ok),
    [true, true, true, false],
  );
  assert.equal(limiter.take('a').retryAfterSec, 1);
  assert.equal(limiter.take('b').ok, true, 'another key has its own bucket');
  now += 500;
  assert.equal(limiter.take('a').ok, true, 'one token after 0.5 s at 2/s');
  assert.equal(limiter.take('a').ok, false);
  now += 10_000;
  assert.equal([1, 2, 3, 4].filter(() => limiter.take('a').ok).length, 3, 'never more than the burst');
});

test('Retry-After rounds up to whole seconds at slow rates', () => {
  const limiter = createRateLimiter(0.25, 1, () => 0);
  limiter.take('k');
  assert.equal(limiter.take('k').retryAfterSec, 4);
});
