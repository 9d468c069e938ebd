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

export function createEventHub(store: EventStore, onAppend: () => void = () => {}): EventHub {
  const listeners = new Map<string, Set<EventListener>>();
  // Appends of one channel are chained so revisions reach listeners in order.
  const tails = new Map<string, Promise<unknown>>();
  return {
    store,
    publish(event) {
      const key = channelKey(event.workspaceId, event.channelId);
      const run = (tails.get(key) ?? Promise.resolve()).then(async () => {
        const stored = await store.append(event);
        onAppend();
        for (const listener of listeners.get(key) ?? []) {
          try {
            listener(stored);
          } catch {
            // one broken subscriber must not stop the others
          }
        }
        return stored;
      });
      const settled = run.catch(() => undefined);
      tails.set(key, settled);
      void settled.then(() => {
        if (tails.get(key) === settled) tails.delete(key);
      });
      return run;
    },
    async drain() {
      await Promise.all([...tails.values()]);
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
