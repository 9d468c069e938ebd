import { setImmediate as nextTurn } from 'node:timers/promises';

/** Work between two turns of the event loop. */
const SLICE_MS = 8;

/**
 * Shares one long job's time with other requests: `pace()` yields a turn of the event loop
 * once SLICE_MS has passed since the last, and stops the job when its call is aborted.
 */
export function createPacer(signal?: AbortSignal): {
  signal: AbortSignal | undefined;
  pace(): Promise<void>;
} {
  let since = performance.now();
  return {
    signal,
    async pace() {
      if (performance.now() - since < SLICE_MS) return;
      await nextTurn();
      signal?.throwIfAborted();
      since = performance.now();
    },
  };
}

export type Pacer = ReturnType<typeof createPacer>;
