import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { EventFanOut } from '../../events/event-hub.ts';
import { createPgNotifyFanOut, EVENTS_NOTIFY_CHANNEL } from '../../events/pg-notify-fan-out.ts';
import type { SharedSessionStores } from '../shared-session-stores.ts';
import type { Store } from '../types.ts';
import { createPgArchiveStore } from './archive-store.ts';
import { createPgBudgetStore } from './budget-store.ts';
import { createPgEventStore } from './event-store.ts';
import { createPgEvidenceStore } from './evidence-store.ts';
import { createPgKnowledgeStore } from './knowledge-store.ts';
import { runMigrations } from './migrate.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { createPgDatabase, type PgPoolOptions } from './pool.ts';
import { createPgUsageStore } from './usage-store.ts';

/** Builds the shared-session stores (sessions, agents, tasks, workflows, handoffs, shares) on the pool. */
export type SharedSessionFactory = (pool: pg.Pool) => SharedSessionStores | Promise<SharedSessionStores>;

export interface PostgresStoreOptions extends PgPoolOptions {
  sharedSessions: SharedSessionFactory;
}

/**
 * The scale-out store: every interface on one PostgreSQL database that replicas share.
 * Migrates first (once, whatever the number of replicas starting), then serves.
 */
export async function createPostgresStore(opts: PostgresStoreOptions): Promise<Store> {
  const db = createPgDatabase(opts);
  try {
    await runMigrations(db, MIGRATIONS);
    const shared = await opts.sharedSessions(db.pool);
    const usage = createPgUsageStore(db);
    const budgets = createPgBudgetStore(db);
    // each store is one origin: its own events come back on its listener and are skipped
    const notify = { channel: EVENTS_NOTIFY_CHANNEL, originId: randomUUID() };
    const events = createPgEventStore(db, notify);
    let listener: EventFanOut | undefined;
    const evidence = createPgEvidenceStore(db);
    return {
      ...shared,
      events,
      usage,
      budgets,
      evidence,
      knowledge: createPgKnowledgeStore(db),
      archives: createPgArchiveStore(db),
      dependency: { name: 'postgres', check: db.ping },
      listenForEvents(logger) {
        listener ??= createPgNotifyFanOut({ url: opts.url, ...notify, logger });
        return listener;
      },
      async close() {
        await listener?.close();
        // what callers were promised is written before the pool goes
        await Promise.all([events.settled(), usage.settled(), budgets.settled(), evidence.settled()]);
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}
