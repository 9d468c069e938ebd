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

/**
 * One token bucket per key, refilled and spent in one script run, so replicas never race.
 * Time is Redis's own (TIME), not the replicas' clocks. Levels are kept in milli-tokens.
 */
const TAKE = defineLua(`
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
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
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / rate * 1000) + 1000)
if ok == 1 then return {1, 0} end
return {0, math.ceil((cost - tokens) / rate)}
`);

/**
 * Buckets in Redis. When Redis does not answer, the call is let through (fail open): a rate
 * limit protects capacity, and refusing every call while Redis is away would be the larger
 * outage. Each such pass is logged (at most every 10 s) and counted in `failedOpen`.
 */
export function createRedisLimiter(
  link: RedisLink,
  ratePerSec: number,
  burst: number,
  opts: { logger: Logger; failedOpen: () => void },
): SharedRateLimiter {
  let rate = ratePerSec;
  let capacity = burst;
  let lastLogged = 0;
  return {
    async take(key, cost = 1) {
      try {
        const reply = (await link.eval(TAKE, [`${link.prefix}rate:${key}`], [rate, capacity, cost])) as [
          number,
          number,
        ];
        return { ok: reply[0] === 1, retryAfterSec: reply[0] === 1 ? 0 : Math.max(1, reply[1]) };
      } catch (err) {
        opts.failedOpen();
        const now = Date.now();
        if (now - lastLogged > 10_000) {
          lastLogged = now;
          opts.logger.warn('rate limit not checked: Redis is unavailable, calls pass (fail open)', {
            error: String(err),
          });
        }
        return { ok: true, retryAfterSec: 0 };
      }
    },
    configure(r, b) {
      rate = r;
      capacity = b;
    },
  };
}
