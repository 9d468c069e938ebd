/** A workspace counts as active this long after its last event or stream (as the original). */
const ACTIVE_WORKSPACE_MS = 600_000;

/** The original lean-ctx `MetricsSnapshot`: the top-level fields of `GET /v1/metrics` JSON. */
export interface ContextMetricsSnapshot {
  eventsAppended: number;
  eventsBroadcast: number;
  eventsReplayed: number;
  sseConnectionsActive: number;
  sseConnectionsTotal: number;
  sharedSessionsLoaded: number;
  sharedSessionsPersisted: number;
  activeWorkspaceCount: number;
}

/** Counters of the event bus, SSE streams and shared sessions, bumped where each thing happens. */
export interface ContextMetrics {
  eventAppended(workspaceId: string): void;
  /** An event handed to at least one live stream. */
  eventBroadcast(): void;
  eventsReplayed(count: number): void;
  streamOpened(workspaceId: string): void;
  streamClosed(): void;
  sessionLoaded(): void;
  sessionPersisted(): void;
  snapshot(): ContextMetricsSnapshot;
}

export function createContextMetrics(now: () => number = Date.now): ContextMetrics {
  const n = { appended: 0, broadcast: 0, replayed: 0, opened: 0, closed: 0, loaded: 0, persisted: 0 };
  const lastSeen = new Map<string, number>();
  const touch = (workspaceId: string) => {
    // re-inserted so the map stays in last-seen order and expiry stops at the first fresh entry
    lastSeen.delete(workspaceId);
    lastSeen.set(workspaceId, now());
  };
  return {
    eventAppended(workspaceId) {
      n.appended++;
      touch(workspaceId);
    },
    eventBroadcast() {
      n.broadcast++;
    },
    eventsReplayed(count) {
      n.replayed += count;
    },
    streamOpened(workspaceId) {
      n.opened++;
      touch(workspaceId);
    },
    streamClosed() {
      n.closed++;
    },
    sessionLoaded() {
      n.loaded++;
    },
    sessionPersisted() {
      n.persisted++;
    },
    snapshot() {
      const cutoff = now() - ACTIVE_WORKSPACE_MS;
      for (const [ws, seen] of lastSeen) {
        if (seen > cutoff) break;
        lastSeen.delete(ws);
      }
      return {
        eventsAppended: n.appended,
        eventsBroadcast: n.broadcast,
        eventsReplayed: n.replayed,
        sseConnectionsActive: n.opened - n.closed,
        sseConnectionsTotal: n.opened,
        sharedSessionsLoaded: n.loaded,
        sharedSessionsPersisted: n.persisted,
        activeWorkspaceCount: lastSeen.size,
      };
    },
  };
}
