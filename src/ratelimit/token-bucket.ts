export interface RateDecision {
  ok: boolean;
  /** Whole seconds until a token is available (for Retry-After); 0 when ok. */
  retryAfterSec: number;
}

export interface RateLimiter {
  /** Spends `cost` tokens of the key's bucket at once, or none when it holds fewer. */
  take(key: string, cost?: number): RateDecision;
  /** Changes capacity and refill rate (config reload); existing buckets keep their level. */
  configure(ratePerSec: number, burst: number): void;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets per key: capacity `burst`, refilled at `ratePerSec`, starting full. */
export function createRateLimiter(
  ratePerSec: number,
  burst: number,
  now: () => number = Date.now,
): RateLimiter {
  let rate = ratePerSec;
  let capacity = burst;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const sweep = (t: number) => {
    // A bucket that would be full again carries no state worth keeping.
    if (t - lastSweep < 60_000) return;
    lastSweep = t;
    for (const [key, b] of buckets)
      if (b.tokens + ((t - b.at) / 1000) * rate >= capacity) buckets.delete(key);
  };

  return {
    take(key, cost = 1) {
      const t = now();
      sweep(t);
      const b = buckets.get(key) ?? { tokens: capacity, at: t };
      b.tokens = Math.min(capacity, b.tokens + ((t - b.at) / 1000) * rate);
      b.at = t;
      buckets.set(key, b);
      if (b.tokens >= cost) {
        b.tokens -= cost;
        return { ok: true, retryAfterSec: 0 };
      }
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((cost - b.tokens) / rate)) };
    },
    configure(ratePerSec, newBurst) {
      rate = ratePerSec;
      capacity = newBurst;
    },
  };
}
