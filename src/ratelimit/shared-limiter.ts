import type { Logger } from '../logger.ts';
import { defineLua, type RedisLink } from '../store/redis/redis-link.ts';
import { createRateLimiter, type RateDecision } from './token-bucket.ts';

/** The limiter the server asks: in this process, or one bucket per key shared in Redis. */
export interface SharedRateLimiter {
  take(key: string, cost?: number): Promise<RateDecision>;
  configure(ratePerSec: number, burst: number): void;
}

export function createLocalLimiter(
  ratePerSec: number,
  burst: number,
  now: () => number = Date.now,
): SharedRateLimiter {
  const local = createRateLimiter(ratePerSec, burst, now);
  return {
    take: async (key, cost) => local.take(key, cost),
    configure: (rate, b) => local.configure(rate, b),
  };
}

/** The Redis key of a limiter key's bucket. */
export const bucketKey = (link: RedisLink, key: string) => `${link.prefix}rate:${key}`;

/**
 * `take(key, rate, capacity, cost)` in Lua: one token bucket refilled and spent in one script
 * run, so replicas never race. Time is Redis's own (TIME), not the replicas' clocks. Levels
 * are kept in milli-tokens. Returns 1, 0 when spent, else 0 and the seconds to wait.
 */
export const TAKE_BUCKET_LUA = `
local function take(key, rate, capacity, cost)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local b = redis.call('HMGET', key, 'tokens', 'at')
  local tokens = tonumber(b[1])
  local at = tonumber(b[2])
  if tokens == nil or at == nil then
    tokens = capacity
    at = now
  end
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
  local ok = 0
  if tokens >= cost then
    tokens = tokens - cost
    ok = 1
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'at', tostring(now))
  redis.call('PEXPIRE', key, math.ceil(capacity / rate * 1000) + 1000)
  if ok == 1 then return 1, 0 end
  return 0, math.ceil((cost - tokens) / rate)
end
`;

const TAKE = defineLua(`${TAKE_BUCKET_LUA}
local ok, wait = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]))
return {ok, wait}
`);

/** A script's reply of `take` as a decision (Retry-After is at least 1 s). */
export const toDecision = (ok: unknown, wait: unknown): RateDecision =>
  ok === 1 ? { ok: true, retryAfterSec: 0 } : { ok: false, retryAfterSec: Math.max(1, Number(wait)) };

/**
 * Counts each call let through while Redis does not answer, and logs one line per 10 s at
 * most; the Redis limiter and the tool-call admission share one.
 */
export function reportFailOpen(logger: Logger, count: () => void): (err: unknown) => void {
  let lastLogged = 0;
  return (err) => {
    count();
    const now = Date.now();
    if (now - lastLogged <= 10_000) return;
    lastLogged = now;
    logger.warn('rate limit not checked: Redis is unavailable, calls pass (fail open)', {
      error: String(err),
    });
  };
}

export const PASS: RateDecision = Object.freeze({ ok: true, retryAfterSec: 0 });

/**
 * Buckets in Redis. When Redis does not answer, the call is let through (fail open): a rate
 * limit protects capacity, and refusing every call while Redis is away would be the larger
 * outage. Each such pass is reported to `failedOpen` (see reportFailOpen).
 */
export function createRedisLimiter(
  link: RedisLink,
  ratePerSec: number,
  burst: number,
  failedOpen: (err: unknown) => void,
): SharedRateLimiter {
  let rate = ratePerSec;
  let capacity = burst;
  return {
    async take(key, cost = 1) {
      try {
        const reply = (await link.eval(TAKE, [bucketKey(link, key)], [rate, capacity, cost])) as unknown[];
        return toDecision(reply[0], reply[1]);
      } catch (err) {
        failedOpen(err);
        return PASS;
      }
    },
    configure(r, b) {
      rate = r;
      capacity = b;
    },
  };
}
