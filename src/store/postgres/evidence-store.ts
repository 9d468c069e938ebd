import {
  EVIDENCE_KEPT_PER_CONTEXT,
  type EvidenceStore,
  type ReadEvidence,
  type ReadEvidenceSummary,
} from '../evidence.ts';
import { createGroupCommit } from './group-commit.ts';
import type { PgDatabase } from './pool.ts';

type Read = Required<ReadEvidence>;

// a batch's reads of one pair come as one row (reads: how many, tools: which, in first-use order);
// a known pair adds them and keeps its bytes and first_ts, and gains the tools it lacked
const UPSERT = `INSERT INTO read_evidence (workspace_id, context_id, agent_id, path, sha256, bytes, reads, first_ts,
    last_ts, tools)
  SELECT w, c, a, p, h, b, n, f, l, t::jsonb
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[],
    $9::text[], $10::text[]) AS r(w, c, a, p, h, b, n, f, l, t)
  ON CONFLICT (workspace_id, context_id, agent_id, path, sha256) DO UPDATE SET
    reads = read_evidence.reads + EXCLUDED.reads, last_ts = EXCLUDED.last_ts,
    tools = read_evidence.tools || COALESCE((SELECT jsonb_agg(x.tool ORDER BY x.i)
      FROM jsonb_array_elements(EXCLUDED.tools) WITH ORDINALITY AS x(tool, i)
      WHERE NOT read_evidence.tools @> jsonb_build_array(x.tool)), '[]'::jsonb)`;
const COUNT = `SELECT COUNT(*) AS n FROM read_evidence WHERE workspace_id = $1 AND context_id = $2 AND agent_id = $3`;
const TRIM = `DELETE FROM read_evidence WHERE (workspace_id, context_id, agent_id, path, sha256) IN (
    SELECT workspace_id, context_id, agent_id, path, sha256 FROM read_evidence
    WHERE workspace_id = $1 AND context_id = $2 AND agent_id = $3 ORDER BY last_ts, path, sha256 LIMIT $4)`;

const SEP = '\u0000';
const contextKey = (r: Read) => [r.workspaceId, r.contextId, r.agentId].join(SEP);

/** A pair's reads in one batch, added up: one upsert cannot touch a row twice. */
interface PairReads {
  first: Read;
  reads: number;
  lastTs: string;
  tools: string[];
}

function pairsOf(rows: readonly Read[]): PairReads[] {
  const pairs = new Map<string, PairReads>();
  for (const r of rows) {
    const key = [contextKey(r), r.path, r.sha256].join(SEP);
    const pair = pairs.get(key);
    if (!pair) pairs.set(key, { first: r, reads: 1, lastTs: r.ts, tools: [r.tool] });
    else {
      pair.reads++;
      pair.lastTs = r.ts;
      if (!pair.tools.includes(r.tool)) pair.tools.push(r.tool);
    }
  }
  return [...pairs.values()];
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
      const pairs = pairsOf(rows);
      await client.query(UPSERT, [
        pairs.map((p) => p.first.workspaceId),
        pairs.map((p) => p.first.contextId),
        pairs.map((p) => p.first.agentId),
        pairs.map((p) => p.first.path),
        pairs.map((p) => p.first.sha256),
        pairs.map((p) => Math.round(p.first.bytes)),
        pairs.map((p) => p.reads),
        pairs.map((p) => p.first.ts),
        pairs.map((p) => p.lastTs),
        pairs.map((p) => JSON.stringify(p.tools)),
      ]);
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
    // no answer waits for it; reads of evidence flush it first (settled)
    recordRead: (read) => writes.add({ ...read, ts: read.ts ?? new Date().toISOString() }, { lazy: true }),
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
