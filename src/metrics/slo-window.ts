/** Requests the rolling window keeps; sorting it at a scrape costs well under a millisecond. */
const WINDOW = 4096;

/** The original lean-ctx team server's SLO view (its `slo` object, snake_case as it sent it). */
export interface SloSnapshot {
  requests_total: number;
  errors_total: number;
  window_len: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  /** Share of non-5xx answers in the window, in percent; 100 with no traffic. */
  availability_pct: number;
  /** Seconds since the last successful index-changing tool call; null until one ran. */
  index_lag_seconds: number | null;
  uptime_seconds: number;
}

export interface SloWindow {
  /** One finished `/v1` request; `ok` is false only for a server fault (5xx). */
  record(durationMs: number, ok: boolean): void;
  recordIndexWrite(): void;
  snapshot(): SloSnapshot;
}

/** Latency percentiles (nearest rank) and availability over the last WINDOW `/v1` requests. */
export function createSloWindow(now: () => number = Date.now): SloWindow {
  const startedAt = now();
  const durations = new Uint32Array(WINDOW);
  const failed = new Uint8Array(WINDOW);
  let next = 0;
  let length = 0;
  let requests = 0;
  let errors = 0;
  let lastIndexWrite: number | undefined;
  return {
    record(durationMs, ok) {
      durations[next] = Math.min(Math.max(0, Math.floor(durationMs)), 0xffffffff);
      failed[next] = ok ? 0 : 1;
      next = (next + 1) % WINDOW;
      length = Math.min(length + 1, WINDOW);
      requests++;
      if (!ok) errors++;
    },
    recordIndexWrite() {
      lastIndexWrite = now();
    },
    snapshot() {
      const sorted = durations.slice(0, length).sort();
      const pct = (p: number) => {
        if (length === 0) return 0;
        const rank = Math.ceil((p / 100) * length);
        return sorted[Math.min(Math.max(rank, 1), length) - 1] ?? 0;
      };
      let failures = 0;
      for (let i = 0; i < length; i++) failures += failed[i] ?? 0;
      const seconds = (since: number) => Math.max(0, Math.floor((now() - since) / 1000));
      return {
        requests_total: requests,
        errors_total: errors,
        window_len: length,
        p50_ms: pct(50),
        p95_ms: pct(95),
        p99_ms: pct(99),
        availability_pct: length === 0 ? 100 : ((length - failures) / length) * 100,
        index_lag_seconds: lastIndexWrite === undefined ? null : seconds(lastIndexWrite),
        uptime_seconds: seconds(startedAt),
      };
    },
  };
}
