import type pg from 'pg';
import type { WorkflowGate, WorkflowRun, WorkflowSpec, WorkflowStore } from '../workflows.ts';
import { num, writeInTransaction } from './write-transaction.ts';

interface WorkflowRow {
  workspace_id: string;
  scope: string;
  name: string;
  state: string;
  spec: WorkflowSpec;
  evidence: WorkflowRun['evidence'];
  history: WorkflowRun['history'];
  revision: string | number;
  started_by: string;
  started_at: string;
  updated_at: string;
}

const RUN_COLUMNS =
  'workspace_id, scope, name, state, spec, evidence, history, revision, started_by, started_at, updated_at';

/**
 * A scope names a token and its context with a NUL between (workflowScope), which PostgreSQL
 * text cannot hold: it is stored with `\` doubled and NUL as `\0`, which reads back exactly.
 */
const toDbScope = (scope: string) => scope.replaceAll('\\', '\\\\').replaceAll('\u0000', '\\0');
const fromDbScope = (stored: string) =>
  stored.replace(/\\(.)/gs, (_, c: string) => (c === '0' ? '\u0000' : c));

const toRun = (r: WorkflowRow): WorkflowRun => ({
  workspaceId: r.workspace_id,
  scope: fromDbScope(r.scope),
  spec: r.spec,
  state: r.state,
  evidence: r.evidence,
  history: r.history,
  revision: num(r.revision),
  startedBy: r.started_by,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
});

/** The state's allowed_tools as JSON text (NULL = all), kept beside the spec so the gate parses no spec. */
const allowedOf = (spec: WorkflowSpec, state: string): string | null => {
  const tools = spec.states[state]?.allowed_tools;
  return tools === undefined ? null : JSON.stringify(tools);
};

export function createPgWorkflowStore(pool: pg.Pool): WorkflowStore {
  return {
    async gate(ws, scope): Promise<WorkflowGate | undefined> {
      const { rows } = await pool.query<{ name: string; state: string; allowed: string[] | null }>(
        'SELECT name, state, allowed FROM workflows WHERE workspace_id = $1 AND scope = $2',
        [ws, toDbScope(scope)],
      );
      const row = rows[0];
      if (!row) return undefined;
      return { name: row.name, state: row.state, allowedTools: row.allowed ?? undefined };
    },

    async get(ws, scope) {
      const { rows } = await pool.query<WorkflowRow>(
        `SELECT ${RUN_COLUMNS} FROM workflows WHERE workspace_id = $1 AND scope = $2`,
        [ws, toDbScope(scope)],
      );
      return rows[0] ? toRun(rows[0]) : undefined;
    },

    async start(run) {
      // Two first starts of one context both find no row; the second's insert then fails on
      // the key and the retry replaces the first's run, as one after the other would.
      return writeInTransaction(pool, async (sql) => {
        const old = await sql.query<WorkflowRow>(
          `DELETE FROM workflows WHERE workspace_id = $1 AND scope = $2 RETURNING ${RUN_COLUMNS}`,
          [run.workspaceId, toDbScope(run.scope)],
        );
        await sql.query(
          `INSERT INTO workflows (workspace_id, scope, name, state, allowed, spec, evidence, history, revision, started_by, started_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $10, $10)`,
          [
            run.workspaceId,
            toDbScope(run.scope),
            run.spec.name,
            run.state,
            allowedOf(run.spec, run.state),
            JSON.stringify(run.spec),
            JSON.stringify(run.evidence),
            JSON.stringify(run.history),
            run.startedBy,
            run.startedAt,
          ],
        );
        return { run: { ...run, revision: 1 }, replaced: old.rows[0] ? toRun(old.rows[0]) : undefined };
      });
    },

    async update(ws, scope, change) {
      return writeInTransaction(pool, async (sql) => {
        const { rows } = await sql.query<WorkflowRow>(
          `SELECT ${RUN_COLUMNS} FROM workflows WHERE workspace_id = $1 AND scope = $2 FOR UPDATE`,
          [ws, toDbScope(scope)],
        );
        if (!rows[0]) return undefined;
        const current = toRun(rows[0]);
        const next = change(current);
        const ts = new Date().toISOString();
        const written = await sql.query<{ revision: string | number }>(
          `UPDATE workflows SET state = $3, allowed = $4, evidence = $5, history = $6, revision = revision + 1, updated_at = $7
           WHERE workspace_id = $1 AND scope = $2 RETURNING revision`,
          [
            ws,
            toDbScope(scope),
            next.state,
            allowedOf(current.spec, next.state),
            JSON.stringify(next.evidence),
            JSON.stringify(next.history),
            ts,
          ],
        );
        return { ...current, ...next, revision: num(written.rows[0]?.revision ?? 0), updatedAt: ts };
      });
    },

    async stop(ws, scope) {
      const { rows } = await pool.query<WorkflowRow>(
        `DELETE FROM workflows WHERE workspace_id = $1 AND scope = $2 RETURNING ${RUN_COLUMNS}`,
        [ws, toDbScope(scope)],
      );
      return rows[0] ? toRun(rows[0]) : undefined;
    },
  };
}
