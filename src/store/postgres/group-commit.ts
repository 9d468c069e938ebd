/**
 * Writes that share transactions: the first row starts a write at once, and rows that arrive
 * while it runs go together in the next one. One write runs at a time, so rows commit in the
 * order they were added; each caller's promise settles with its own batch's commit.
 */
export interface GroupCommit<T> {
  add(row: T): Promise<void>;
  /** Resolves once every row added so far was written or failed (never rejects). */
  settled(): Promise<void>;
}

/** Rows in one transaction at most; a longer queue is written in several. */
const MAX_BATCH_ROWS = 500;

export function createGroupCommit<T>(write: (rows: T[]) => Promise<void>): GroupCommit<T> {
  const queued: T[] = [];
  const waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let running: Promise<void> | undefined;

  const drain = async () => {
    while (queued.length > 0) {
      // callers and rows pair up one to one
      const rows = queued.splice(0, MAX_BATCH_ROWS);
      const callers = waiting.splice(0, MAX_BATCH_ROWS);
      try {
        await write(rows);
        for (const c of callers) c.resolve();
      } catch (err) {
        for (const c of callers) c.reject(err);
      }
    }
    running = undefined;
  };

  return {
    add(row) {
      queued.push(row);
      const done = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      running ??= drain();
      return done;
    },
    async settled() {
      while (running) await running;
    },
  };
}
