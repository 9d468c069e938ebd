import type { SessionStore } from '../store/sessions.ts';
import type { Store } from '../store/types.ts';
import type { ContextMetrics } from './context-counters.ts';

/**
 * The store with its shared-session reads and writes counted (`sharedSessionsLoaded`,
 * `sharedSessionsPersisted`): a read of a channel's session or a saved copy is a load, an
 * applied change or a save is a persist.
 */
export function countSessionUse(store: Store, metrics: ContextMetrics): Store {
  const inner = store.sessions;
  const sessions: SessionStore = {
    async get(workspaceId, channelId) {
      const state = await inner.get(workspaceId, channelId);
      metrics.sessionLoaded();
      return state;
    },
    async apply(workspaceId, channelId, agent, change) {
      const write = await inner.apply(workspaceId, channelId, agent, change);
      metrics.sessionPersisted();
      return write;
    },
    channels: (workspaceId) => inner.channels(workspaceId),
    async save(workspaceId, channelId, id, agent) {
      const info = await inner.save(workspaceId, channelId, id, agent);
      metrics.sessionPersisted();
      return info;
    },
    saved: (workspaceId) => inner.saved(workspaceId),
    async loadSaved(workspaceId, id) {
      const saved = await inner.loadSaved(workspaceId, id);
      if (saved) metrics.sessionLoaded();
      return saved;
    },
    removeSaved: (workspaceId, beforeTs) => inner.removeSaved(workspaceId, beforeTs),
  };
  return { ...store, sessions };
}
