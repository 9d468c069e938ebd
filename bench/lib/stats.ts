/** The value at percentile `p` (0-100) of ascending `sorted`, nearest-rank; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Collects latencies (ms) without boxing; grows like a vector. */
export class LatencyRecorder {
  #values = new Float64Array(1 << 16);
  #count = 0;

  record(ms: number): void {
    if (this.#count === this.#values.length) {
      const next = new Float64Array(this.#values.length * 2);
      next.set(this.#values);
      this.#values = next;
    }
    this.#values[this.#count++] = ms;
  }

  get count(): number {
    return this.#count;
  }

  /** p50 and p99 in ms over everything recorded. */
  summary(): { p50Ms: number; p99Ms: number } {
    const sorted = this.#values.slice(0, this.#count).sort();
    return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
  }
}

/** CPU µs per request from two processCpuMs readings; undefined when either is missing. */
export function cpuUsPerRequest(
  beforeMs: number | undefined,
  afterMs: number | undefined,
  requests: number,
): number | undefined {
  if (beforeMs === undefined || afterMs === undefined || requests === 0) return undefined;
  return ((afterMs - beforeMs) * 1000) / requests;
}

/** One measured round of one target. */
export interface RoundResult {
  round: number;
  requests: number;
  seconds: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU the server process spent per answered request (µs); undefined off Linux. */
  serverCpuUsPerReq: number | undefined;
  errors: number;
}

/** A target's rounds reduced to medians; p99 also as the worst round, since tails are the point. */
export interface TargetSummary {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  worstP99Ms: number;
  serverCpuUsPerReq: number | undefined;
  errors: number;
}

export function summarize(rounds: readonly RoundResult[]): TargetSummary {
  return {
    reqPerSec: median(rounds.map((r) => r.reqPerSec)),
    p50Ms: median(rounds.map((r) => r.p50Ms)),
    p99Ms: median(rounds.map((r) => r.p99Ms)),
    worstP99Ms: Math.max(...rounds.map((r) => r.p99Ms)),
    serverCpuUsPerReq: rounds.every((r) => r.serverCpuUsPerReq !== undefined)
      ? median(rounds.map((r) => r.serverCpuUsPerReq!))
      : undefined,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}

/**
 * The median over rounds of `ours / peer` req/s. Each round runs both back to back, so a
 * per-round ratio cancels most of the drift a shared machine adds between rounds.
 */
export function medianRoundRatio(ours: readonly RoundResult[], peer: readonly RoundResult[]): number {
  const ratios = ours.flatMap((r) => {
    const other = peer.find((p) => p.round === r.round);
    return other && other.reqPerSec > 0 ? [r.reqPerSec / other.reqPerSec] : [];
  });
  return median(ratios);
}
