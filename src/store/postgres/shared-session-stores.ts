import type pg from 'pg';
import type { SharedSessionStores } from '../shared-session-stores.ts';
import { createPgAgentStore } from './agents-store.ts';
import { createPgHandoffStore, createPgShareStore } from './handoffs-store.ts';
import { createPgSessionStore } from './sessions-store.ts';
import { createPgTaskStore } from './tasks-store.ts';
import { createPgWorkflowStore } from './workflows-store.ts';

export interface PgSharedSessionOptions {
  /**
   * Turns what a store method throws into what the caller should see (e.g. an unreachable
   * server into `store_unavailable`); errors pass through unchanged without it.
   */
  mapError?: (err: unknown) => unknown;
}

/** Every method of `store`, with its rejections passed through `mapError`. */
function mapErrors<T extends object>(store: T, mapError: (err: unknown) => unknown): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(store)) {
    out[name] =
      typeof fn === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await fn(...args);
            } catch (err) {
              throw mapError(err);
            }
          }
        : fn;
  }
  return out as T;
}

/**
 * The shared-session stores on PostgreSQL, over the tables of migration 002
 * (./migrations/002-shared-sessions.ts). Safe for any number of processes on one database.
 */
export function createPgSharedSessionStores(
  pool: pg.Pool,
  opts: PgSharedSessionOptions = {},
): SharedSessionStores {
  const stores: SharedSessionStores = {
    sessions: createPgSessionStore(pool),
    agents: createPgAgentStore(pool),
    tasks: createPgTaskStore(pool),
    workflows: createPgWorkflowStore(pool),
    handoffs: createPgHandoffStore(pool),
    shares: createPgShareStore(pool),
  };
  const { mapError } = opts;
  if (!mapError) return stores;
  return {
    sessions: mapErrors(stores.sessions, mapError),
    agents: mapErrors(stores.agents, mapError),
    tasks: mapErrors(stores.tasks, mapError),
    workflows: mapErrors(stores.workflows, mapError),
    handoffs: mapErrors(stores.handoffs, mapError),
    shares: mapErrors(stores.shares, mapError),
  };
}
