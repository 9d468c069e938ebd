import type { AppendOptions, EventRecord, EventStore, NewEvent } from '../store/types.ts';

export type EventListener = (event: EventRecord) => void;

export interface EventHub {
  /** Stores the event and hands it to live subscribers of its channel. */
  publish(event: NewEvent, opts?: AppendOptions): Promise<EventRecord>;
  subscribe(workspaceId: string, channelId: string, listener: EventListener): () => void;
  /** Resolves when every event published so far is stored (shutdown). */
  drain(): Promise<void>;
  readonly store: EventStore;
}

const channelKey = (ws: string, ch: string) => `${ws}\u0000${ch}`;

/**
 * Other replicas' events, for this replica's live subscribers. A message may be lost or come
 * out of revision order: subscribers fill gaps from the store (the store is the truth; the
 * message is only a wake-up that happens to carry the event).
 */
export interface EventFanOut {
  /** Tells the other replicas about an event this one stored. */
  announce(event: EventRecord): void;
  /** `deliver` gets other replicas' events; `resync` runs after messages may have been missed. */
  listen(deliver: (event: EventRecord) => void, resync: () => void): void;
  close(): Promise<void>;
}

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
  fanOut?: EventFanOut,
): EventHub {
  const listeners = new Map<string, Set<EventListener>>();
  /** Newest revision handed to this replica's subscribers, per channel (for a resync). */
  const newest = new Map<string, number>();
  const broadcast = (stored: EventRecord) => {
    const key = channelKey(stored.workspaceId, stored.channelId);
    const subscribers = listeners.get(key);
    if (!subscribers?.size) return;
    if (stored.revision > (newest.get(key) ?? 0)) newest.set(key, stored.revision);
    onBroadcast();
    for (const listener of subscribers) {
      try {
        listener(stored);
      } catch {
        // one broken subscriber must not stop the others
      }
    }
  };
  fanOut?.listen(broadcast, () => {
    // The newest event of each watched channel: a subscriber behind it reads the gap from the store.
    for (const key of listeners.keys()) {
      const [ws = '', ch = ''] = key.split('\u0000');
      store
        .latestRevision(ws, ch)
        .then((latest) => (latest > (newest.get(key) ?? 0) ? store.since(ws, ch, latest - 1, 1) : []))
        .then((events) => {
          for (const e of events) broadcast(e);
        })
        .catch(() => undefined);
    }
  });
  // Appends settle in call order, so the last one settled means all are.
  let last: Promise<unknown> = Promise.resolve();
  return {
    store,
    publish(event, opts) {
      // The store assigns revisions in call order and settles appends in that order, so
      // listeners see each channel's events in revision order.
      let appended: Promise<EventRecord>;
      try {
        appended = store.append(capPayload(event), opts);
      } catch (err) {
        appended = Promise.reject(err);
      }
      const run = appended.then((stored) => {
        onAppend(stored);
        fanOut?.announce(stored);
        broadcast(stored);
        return stored;
      });
      last = run.catch(() => undefined);
      return run;
    },
    async drain() {
      await last;
      await fanOut?.close();
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
        if (set.size === 0) {
          listeners.delete(key);
          newest.delete(key);
        }
      };
    },
  };
}
