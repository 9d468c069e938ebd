import {
  EVIDENCE_KEPT_PER_CONTEXT,
  type EvidenceStore,
  type ReadEvidence,
  type ReadEvidenceSummary,
} from '../evidence.ts';
import type { SqliteDb } from './compare-and-set.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS read_evidence (
  workspace_id TEXT NOT NULL,
  context_id TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  path TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  reads INTEGER NOT NULL,
  first_ts TEXT NOT NULL,
  last_ts TEXT NOT NULL,
  tools TEXT NOT NULL,
  PRIMARY KEY (workspace_id, context_id, agent_id, path, sha256)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS read_evidence_recent ON read_evidence (workspace_id, context_id, agent_id, last_ts);
`;

const FLUSH_EVERY_MS = 10;

interface Row {
  path: string;
  sha256: string;
  bytes: number;
  reads: number;
  first_ts: string;
  last_ts: string;
  tools: string;
}

/** Read evidence in the server's SQLite file; reads of a burst share one transaction. */
export function createSqliteEvidenceStore(db: SqliteDb): EvidenceStore & { flush(): void } {
  db.exec(SCHEMA);
  const upsert = db.prepare(
    `INSERT INTO read_evidence (workspace_id, context_id, agent_id, path, sha256, bytes, reads, first_ts, last_ts, tools)
     VALUES (@workspaceId, @contextId, @agentId, @path, @sha256, @bytes, 1, @ts, @ts, json_array(@tool))
     ON CONFLICT DO UPDATE SET reads = reads + 1, last_ts = excluded.last_ts,
       tools = CASE WHEN EXISTS (SELECT 1 FROM json_each(tools) WHERE value = @tool) THEN tools
                    ELSE json_insert(tools, '$[#]', @tool) END`,
  );
  const countOf = db.prepare<[string, string, string], { n: number }>(
    'SELECT COUNT(*) AS n FROM read_evidence WHERE workspace_id = ? AND context_id = ? AND agent_id = ?',
  );
  const trim = db.prepare<[string, string, string, string, string, string, number]>(
    `DELETE FROM read_evidence WHERE workspace_id = ? AND context_id = ? AND agent_id = ? AND (path, sha256) IN (
       SELECT path, sha256 FROM read_evidence WHERE workspace_id = ? AND context_id = ? AND agent_id = ?
       ORDER BY last_ts LIMIT ?)`,
  );
  const selectRecent = db.prepare<[string, string, string, number], Row>(
    `SELECT path, sha256, bytes, reads, first_ts, last_ts, tools FROM read_evidence
     WHERE workspace_id = ? AND context_id = ? AND agent_id = ? ORDER BY last_ts DESC, path LIMIT ?`,
  );
  const remove = db.prepare<[string, string, string]>(
    'DELETE FROM read_evidence WHERE workspace_id = ? AND context_id = ? AND agent_id = ?',
  );

  let pending: Required<ReadEvidence>[] = [];
  let waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const write = db.transaction((rows: Required<ReadEvidence>[]) => {
    const touched = new Map<string, [string, string, string]>();
    for (const r of rows) {
      upsert.run(r);
      touched.set(`${r.workspaceId}\u0000${r.contextId}\u0000${r.agentId}`, [
        r.workspaceId,
        r.contextId,
        r.agentId,
      ]);
    }
    for (const key of touched.values()) {
      const over = (countOf.get(...key)?.n ?? 0) - EVIDENCE_KEPT_PER_CONTEXT;
      if (over > 0) trim.run(...key, ...key, over);
    }
  });
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    const rows = pending;
    const done = waiters;
    pending = [];
    waiters = [];
    if (rows.length === 0) return;
    try {
      if (!db.open) throw new Error('the store is closed');
      write.immediate(rows);
      for (const w of done) w.resolve();
    } catch (err) {
      for (const w of done) w.reject(err);
    }
  };
  const toSummary = (r: Row): ReadEvidenceSummary => ({
    path: r.path,
    sha256: r.sha256,
    bytes: r.bytes,
    reads: r.reads,
    firstTs: r.first_ts,
    lastTs: r.last_ts,
    tools: JSON.parse(r.tools) as string[],
  });
  return {
    recordRead(read) {
      pending.push({ ...read, ts: read.ts ?? new Date().toISOString() });
      timer ??= setTimeout(flush, FLUSH_EVERY_MS);
      return new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    },
    async reads(workspaceId, contextId, agentId, limit) {
      flush();
      const total = countOf.get(workspaceId, contextId, agentId)?.n ?? 0;
      const rows = selectRecent.all(workspaceId, contextId, agentId, Math.max(0, limit));
      return { reads: rows.map(toSummary), total };
    },
    async forget(workspaceId, contextId, agentId) {
      flush();
      return remove.run(workspaceId, contextId, agentId).changes;
    },
    flush,
  };
}
