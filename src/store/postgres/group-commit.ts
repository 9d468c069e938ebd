import { safeToRetry } from './pool.ts';

/**
 * Writes that share transactions: the first row starts a write at once, and rows that arrive
 * while it runs go together in the next one. One write runs at a time, so rows commit in the
 * order they were added; each caller's promise settles with its own batch's commit.
 *
 * A row nobody waits for before answering (a call's usage record, written after its answer)
 * may be added `lazy`: it starts no write of its own but waits up to LINGER_MS for company —
 * the next urgent row, a full batch, or a read that needs it (`settled`). A quiet replica
 * otherwise pays one statement per row: at a few hundred calls a second, each row found the
 * queue empty and went alone (usage, events, read evidence: three statements per call).
 */
export interface GroupCommit<T> {
  add(row: T, opts?: { lazy?: boolean }): Promise<void>;
  /** Resolves once every row added so far was written or failed (never rejects); lingering rows go now. */
  settled(): Promise<void>;
}

/** How long a lazy row waits for others before it is written anyway (the SQLite stores' batch timer). */
export const LINGER_MS = 10;

/** Rows in one transaction at most; a longer queue is written in several. */
const MAX_BATCH_ROWS = 500;

/**
 * Rows waiting at most (about 10 MB of usage or event rows): past it, PostgreSQL is slower
 * than the calls coming in for long enough that holding more would only grow the heap.
 */
export const MAX_QUEUED_ROWS = 20_000;

/** A row refused because its queue is full: nothing of it reached the database. */
export class QueueFullError extends Error {
  constructor(readonly bound: number) {
    super(
      `${bound} rows already wait to be written to PostgreSQL, the most one queue holds; PostgreSQL takes rows slower than calls arrive: raise store.maxConnections, give PostgreSQL more CPU, or lower maxConcurrency`,
    );
    this.name = 'QueueFullError';
  }
}

/**
 * Waits before each new attempt of a batch that could not get a connection (a pool kept busy
 * by a burst) or was rolled back for a lock or a timeout (pool.ts safeToRetry): what callers
 * were told is written is not dropped because of a queue.
 */
const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000];
/** Then every 2 s, until this long has passed since the batch's first attempt. */
const RETRY_WINDOW_MS = 30_000;

export interface GroupCommitOptions {
  /** Whether a failed batch may be written again: only when none of it was committed. */
  retryable?: (err: unknown) => boolean;
  sleep?: (ms: number) => Promise<void>;
  /** Rows waiting at most; `add` rejects with QueueFullError past it. */
  maxQueued?: number;
}

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createGroupCommit<T>(
  write: (rows: T[]) => Promise<void>,
  opts: GroupCommitOptions = {},
): GroupCommit<T> {
  const retryable = opts.retryable ?? safeToRetry;
  const sleep = opts.sleep ?? pause;
  const maxQueued = opts.maxQueued ?? MAX_QUEUED_ROWS;
  const queued: T[] = [];
  const waiting: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let running: Promise<void> | undefined;
  let lingering: NodeJS.Timeout | undefined;

  const drain = async () => {
    while (queued.length > 0) {
      // callers and rows pair up one to one
      const rows = queued.splice(0, MAX_BATCH_ROWS);
      const callers = waiting.splice(0, MAX_BATCH_ROWS);
      const deadline = performance.now() + RETRY_WINDOW_MS;
      let slept = 0;
      for (let attempt = 0; ; attempt++) {
        try {
          await write(rows);
          for (const c of callers) c.resolve();
          break;
        } catch (err) {
          const delay = RETRY_DELAYS_MS[attempt] ?? 2000;
          const inWindow = slept + delay <= RETRY_WINDOW_MS && performance.now() + delay <= deadline;
          if (inWindow && retryable(err)) {
            await sleep(delay);
            slept += delay;
            continue;
          }
          for (const c of callers) c.reject(err);
          break;
        }
      }
    }
    running = undefined;
  };
  /** Starts a write now unless one runs (it takes the queue along when it is done). */
  const start = () => {
    clearTimeout(lingering);
    lingering = undefined;
    if (queued.length > 0) running ??= drain();
  };

  return {
    add(row, addOpts) {
      if (queued.length >= maxQueued) return Promise.reject(new QueueFullError(maxQueued));
      queued.push(row);
      const done = new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
      if (running) return done;
      if (addOpts?.lazy === true && queued.length < MAX_BATCH_ROWS) {
        if (!lingering) {
          // not unref'd: a row someone holds a promise for is written even if nothing else runs
          lingering = setTimeout(start, LINGER_MS);
        }
      } else {
        start();
      }
      return done;
    },
    async settled() {
      if (lingering) start();
      while (running) await running;
    },
  };
}
