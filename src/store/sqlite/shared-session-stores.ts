import type { SharedSessionStores } from '../shared-session-stores.ts';
import { createSqliteAgentStore } from './agents-store.ts';
import type { SqliteDb } from './compare-and-set.ts';
import { createSqliteHandoffStore, createSqliteShareStore } from './handoffs-store.ts';
import { createSqliteSessionStore } from './sessions-store.ts';
import { createSqliteTaskStore } from './tasks-store.ts';
import { createSqliteWorkflowStore } from './workflows-store.ts';

/** The shared-session stores on the server's SQLite database. */
export function createSqliteSharedSessionStores(db: SqliteDb): SharedSessionStores {
  return {
    sessions: createSqliteSessionStore(db),
    agents: createSqliteAgentStore(db),
    tasks: createSqliteTaskStore(db),
    workflows: createSqliteWorkflowStore(db),
    handoffs: createSqliteHandoffStore(db),
    shares: createSqliteShareStore(db),
  };
}
