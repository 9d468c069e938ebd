import type pg from 'pg';
import type { SharedSessionStores } from '../shared-session-stores.ts';
import { createPgAgentStore } from './agents-store.ts';
import { createPgHandoffStore, createPgShareStore } from './handoffs-store.ts';
import { createPgSessionStore } from './sessions-store.ts';
import { createPgTaskStore } from './tasks-store.ts';
import { createPgWorkflowStore } from './workflows-store.ts';

/**
 * The shared-session stores on PostgreSQL, over tables migration 002 creates
 * (./migrations/002-shared-sessions.ts). Safe for any number of processes on one database.
 */
export function createPgSharedSessionStores(pool: pg.Pool): SharedSessionStores {
  return {
    sessions: createPgSessionStore(pool),
    agents: createPgAgentStore(pool),
    tasks: createPgTaskStore(pool),
    workflows: createPgWorkflowStore(pool),
    handoffs: createPgHandoffStore(pool),
    shares: createPgShareStore(pool),
  };
}
