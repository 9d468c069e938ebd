import type { ArchiveEntry, ArchiveMeta, ArchiveStore } from '../archives.ts';
import type { PgDatabase } from './pool.ts';

/** The archives behind `ctx_expand` ids in PostgreSQL, shared by every replica. */
export function createPgArchiveStore(db: PgDatabase): ArchiveStore {
  return {
    async put(workspaceId, { meta, text }) {
      // The same id is the same text; a copy that has its token count wins over one without.
      await db.query(
        `INSERT INTO archives (workspace_id, id, meta, body, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (workspace_id, id) DO UPDATE SET meta = EXCLUDED.meta
         WHERE NOT (archives.meta ? 'tokens') AND EXCLUDED.meta ? 'tokens'`,
        [workspaceId, meta.id, JSON.stringify(meta), text, meta.createdAt],
      );
    },
    async get(workspaceId, id) {
      const rows = await db.query<{ meta: ArchiveMeta; body: string }>(
        'SELECT meta, body FROM archives WHERE workspace_id = $1 AND id = $2',
        [workspaceId, id],
      );
      const row = rows[0];
      return row ? ({ meta: row.meta, text: row.body } satisfies ArchiveEntry) : undefined;
    },
    async list(workspaceId, limit) {
      const rows = await db.query<{ meta: ArchiveMeta }>(
        'SELECT meta FROM archives WHERE workspace_id = $1 ORDER BY created_at DESC, id LIMIT $2',
        [workspaceId, limit],
      );
      return rows.map((r) => r.meta);
    },
    async prune(olderThan) {
      const rows = await db.query<{ n: number }>(
        'WITH gone AS (DELETE FROM archives WHERE created_at < $1 RETURNING 1) SELECT COUNT(*) AS n FROM gone',
        [olderThan],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
