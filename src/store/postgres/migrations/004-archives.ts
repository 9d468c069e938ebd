import type { Migration } from '../migrate.ts';

/**
 * The archives behind `ctx_expand` ids, so an id minted on one replica expands on any other
 * (each replica has its own data dir). Text is TOASTed (compressed) by PostgreSQL.
 */
export const archivesMigration: Migration = {
  version: 4,
  name: 'archives',
  sql: `
CREATE TABLE archives (workspace_id text COLLATE "C" NOT NULL, id text COLLATE "C" NOT NULL,
  meta jsonb NOT NULL, body text NOT NULL, created_at text COLLATE "C" NOT NULL,
  PRIMARY KEY (workspace_id, id));
CREATE INDEX archives_created ON archives (created_at);
CREATE INDEX archives_ws_created ON archives (workspace_id, created_at DESC);
`,
};
