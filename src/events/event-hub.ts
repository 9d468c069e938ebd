import type { EventRecord, EventStore, NewEvent } from '../store/types.ts';

export type EventListener = (event: EventRecord) => void;

export interface EventHub {
  /** Stores the event and hands it to live subscribers of its channel. */
  publish(event: NewEvent): Promise<EventRecord>;
  subscribe(workspaceId: string, channelId: string, listener: EventListener): () => void;
  /** Resolves when every event published so far is stored (shutdown). */
  drain(): Promise<void>;
  readonly store: EventStore;
}

const channelKey = (ws: string, ch: string) => `${ws}\u0000${ch}`;

/** An event carries references, not content: a larger payload is replaced by a note saying so. */
export const MAX_EVENT_PAYLOAD_BYTES = 4096;

function capPayload(event: NewEvent): NewEvent {
  const size = Buffer.byteLength(JSON.stringify(event.payload));
  if (size <= MAX_EVENT_PAYLOAD_BYTES) return event;
  return { ...event, payload: { omitted: `payload of ${size} bytes is over ${MAX_EVENT_PAYLOAD_BYTES}` } };
}

export function createEventHub(
  store: EventStore,
  onAppend: (event: EventRecord) => void = () => {},
  /** An event went to at least one live subscriber. */
  onBroadcast: () => void = () => {},
): EventHub {
  const listeners = new Map<string, Set<EventListener>>();
  // Appends settle in call order, so the last one settled means all are.
  let last: Promise<unknown> = Promise.resolve();
  return {
    store,
    publish(event) {
      // The store assigns revisions in call order and settles appends in that order, so
      // listeners see each channel's events in revision order.
      let appended: Promise<EventRecord>;
      try {
        appended = store.append(capPayload(event));
      } catch (err) {
        appended = Promise.reject(err);
      }
      const run = appended.then((stored) => {
        onAppend(stored);
        const subscribers = listeners.get(channelKey(stored.workspaceId, stored.channelId));
        if (subscribers?.size) onBroadcast();
        for (const listener of subscribers ?? []) {
          try {
            listener(stored);
          } catch {
            // one broken subscriber must not stop the others
          }
        }
        return stored;
      });
      last = run.catch(() => undefined);
      return run;
    },
    async drain() {
      await last;
    },
    subscribe(workspaceId, channelId, listener) {
      const key = channelKey(workspaceId, channelId);
      let set = listeners.get(key);
      if (!set) {
        set = new Set();
        listeners.set(key, set);
      }
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(key);
      };
    },
  };
}
