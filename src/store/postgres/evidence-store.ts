import {
  EVIDENCE_KEPT_PER_CONTEXT,
  type EvidenceStore,
  type ReadEvidence,
  type ReadEvidenceSummary,
} from '../evidence.ts';
import { createGroupCommit } from './group-commit.ts';
import type { PgDatabase } from './pool.ts';

type Read = Required<ReadEvidence>;

// a read of a known pair bumps it and adds its tool if new; bytes and first_ts stay the first read's
const UPSERT = `INSERT INTO read_evidence (workspace_id, context_id, agent_id, path, sha256, bytes, reads, first_ts,
    last_ts, tools)
  SELECT w, c, a, p, h, b, 1, t, t, jsonb_build_array(tool)
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[])
    AS r(w, c, a, p, h, b, t, tool)
  ON CONFLICT (workspace_id, context_id, agent_id, path, sha256) DO UPDATE SET
    reads = read_evidence.reads + 1, last_ts = EXCLUDED.last_ts,
    tools = CASE WHEN read_evidence.tools @> EXCLUDED.tools THEN read_evidence.tools
                 ELSE read_evidence.tools || EXCLUDED.tools END`;
const COUNT = `SELECT COUNT(*) AS n FROM read_evidence WHERE workspace_id = $1 AND context_id = $2 AND agent_id = $3`;
const TRIM = `DELETE FROM read_evidence WHERE (workspace_id, context_id, agent_id, path, sha256) IN (
    SELECT workspace_id, context_id, agent_id, path, sha256 FROM read_evidence
    WHERE workspace_id = $1 AND context_id = $2 AND agent_id = $3 ORDER BY last_ts, path, sha256 LIMIT $4)`;

const SEP = '\u0000';
const contextKey = (r: Read) => [r.workspaceId, r.contextId, r.agentId].join(SEP);

/** One upsert cannot touch a row twice: a pair read again in the batch starts the next statement. */
function splitRepeats(rows: readonly Read[]): Read[][] {
  const batches: Read[][] = [];
  let batch: Read[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const key = [contextKey(r), r.path, r.sha256].join(SEP);
    if (seen.has(key)) {
      batches.push(batch);
      batch = [];
      seen.clear();
    }
    seen.add(key);
    batch.push(r);
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/**
 * Read evidence in PostgreSQL (the twin of src/store/sqlite/evidence-store.ts): reads of a
 * burst share one transaction, which takes each touched context's advisory lock (in key order,
 * so two replicas never deadlock) before it counts and trims to EVIDENCE_KEPT_PER_CONTEXT.
 */
export function createPgEvidenceStore(db: PgDatabase): EvidenceStore & { settled(): Promise<void> } {
  const writes = createGroupCommit<Read>((rows) =>
    db.transaction(async (client) => {
      const contexts = [...new Map(rows.map((r) => [contextKey(r), r] as const))].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      for (const [, r] of contexts) {
        await client.query(
          "SELECT pg_advisory_xact_lock(hashtextextended(concat_ws(chr(31), 'leanctx.evidence', $1::text, $2::text, $3::text), 0))",
          [r.workspaceId, r.contextId, r.agentId],
        );
      }
      for (const batch of splitRepeats(rows)) {
        await client.query(UPSERT, [
          batch.map((r) => r.workspaceId),
          batch.map((r) => r.contextId),
          batch.map((r) => r.agentId),
          batch.map((r) => r.path),
          batch.map((r) => r.sha256),
          batch.map((r) => Math.round(r.bytes)),
          batch.map((r) => r.ts),
          batch.map((r) => r.tool),
        ]);
      }
      for (const [, r] of contexts) {
        const ctx = [r.workspaceId, r.contextId, r.agentId];
        const { rows: counted } = await client.query<{ n: number }>(COUNT, ctx);
        const over = (counted[0]?.n ?? 0) - EVIDENCE_KEPT_PER_CONTEXT;
        if (over > 0) await client.query(TRIM, [...ctx, over]);
      }
    }),
  );
  const settled = writes.settled;

  return {
    settled,
    recordRead: (read) => writes.add({ ...read, ts: read.ts ?? new Date().toISOString() }),
    async reads(workspaceId, contextId, agentId, limit) {
      await settled();
      const [counted] = await db.query<{ n: number }>(COUNT, [workspaceId, contextId, agentId]);
      const reads = await db.query<ReadEvidenceSummary>(
        `SELECT path, sha256, bytes, reads, first_ts AS "firstTs", last_ts AS "lastTs", tools FROM read_evidence
         WHERE workspace_id = $1 AND context_id = $2 AND agent_id = $3 ORDER BY last_ts DESC, path LIMIT $4`,
        [workspaceId, contextId, agentId, Math.max(0, Math.floor(limit))],
      );
      return { reads, total: counted?.n ?? 0 };
    },
    async forget(workspaceId, contextId, agentId) {
      await settled();
      const [gone] = await db.query<{ n: number }>(
        `WITH gone AS (DELETE FROM read_evidence WHERE workspace_id = $1 AND context_id = $2 AND agent_id = $3
           RETURNING 1) SELECT COUNT(*) AS n FROM gone`,
        [workspaceId, contextId, agentId],
      );
      return gone?.n ?? 0;
    },
  };
}
