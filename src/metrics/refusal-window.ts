/** How many minutes of refusals the window keeps (the observatory looks back at most this far). */
export const REFUSAL_WINDOW_MINUTES = 60;

export interface RefusalCount {
  code: string;
  /** Since the server started. */
  total: number;
  /** Over the last `minutes` minutes. */
  recent: number;
}

/**
 * Refused requests and failed calls by error_code, counted in memory where their audit line
 * is written: the audit file is the record, but reading it back for a live dashboard would
 * mean parsing megabytes per refresh; per-minute buckets answer in microseconds.
 */
export interface RefusalWindow {
  record(code: string): void;
  /** Counts per code, newest-minute buckets summed over the last `minutes` (1..60). */
  counts(minutes: number): RefusalCount[];
}

export function createRefusalWindow(now: () => number = Date.now): RefusalWindow {
  const totals = new Map<string, number>();
  /** minute number → code → count; at most REFUSAL_WINDOW_MINUTES + 1 minutes kept. */
  const minutes = new Map<number, Map<string, number>>();
  const minuteOf = (t: number) => Math.floor(t / 60_000);
  const trim = (current: number) => {
    for (const m of minutes.keys()) if (m <= current - REFUSAL_WINDOW_MINUTES) minutes.delete(m);
  };
  return {
    record(code) {
      totals.set(code, (totals.get(code) ?? 0) + 1);
      const m = minuteOf(now());
      let bucket = minutes.get(m);
      if (!bucket) {
        trim(m);
        bucket = new Map();
        minutes.set(m, bucket);
      }
      bucket.set(code, (bucket.get(code) ?? 0) + 1);
    },
    counts(span) {
      const current = minuteOf(now());
      const recent = new Map<string, number>();
      for (const [m, bucket] of minutes) {
        if (m <= current - span) continue;
        for (const [code, n] of bucket) recent.set(code, (recent.get(code) ?? 0) + n);
      }
      return [...totals]
        .map(([code, total]) => ({ code, total, recent: recent.get(code) ?? 0 }))
        .sort((a, b) => b.recent - a.recent || b.total - a.total || a.code.localeCompare(b.code));
    },
  };
}
