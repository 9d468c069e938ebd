import type { EventRecord } from '../store/types.ts';
import type { EventHub } from './event-hub.ts';

/** One live subscriber's events, waiting to be sent. */
export interface EventQueue {
  /** The next event; undefined once the queue is closed. */
  next(): Promise<EventRecord | undefined>;
  /** Unsubscribes and drops what waits; a pending next() resolves with undefined. */
  close(): void;
}

/**
 * Subscribes to a channel with at most `maxQueued` events waiting. A consumer that falls
 * further behind (a stalled client) is cut off: the queue closes and `onOverflow` runs, so
 * nobody keeps every new event for a reader that no longer reads.
 */
export function subscribeQueue(
  hub: EventHub,
  workspaceId: string,
  channelId: string,
  maxQueued: number,
  onOverflow: () => void,
): EventQueue {
  let queued: EventRecord[] = [];
  let closed = false;
  let wake: (() => void) | undefined;
  const close = () => {
    if (closed) return;
    closed = true;
    unsubscribe();
    queued = [];
    wake?.();
  };
  const unsubscribe = hub.subscribe(workspaceId, channelId, (event) => {
    if (closed) return;
    if (queued.length >= maxQueued) {
      close();
      onOverflow();
      return;
    }
    queued.push(event);
    wake?.();
  });
  return {
    async next() {
      while (!closed && queued.length === 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      return closed ? undefined : queued.shift();
    },
    close,
  };
}
