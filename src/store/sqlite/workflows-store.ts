import type { WorkflowGate, WorkflowRun, WorkflowSpec, WorkflowStore } from '../workflows.ts';
import { RevisionConflict, type SqliteDb, writeWithRetries } from './compare-and-set.ts';

// `allowed` is the current state's allowed_tools as JSON (NULL = all), kept beside the spec
// so the gate every call passes reads a short row and parses no spec.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS workflows (
  workspace_id TEXT NOT NULL,
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  allowed TEXT,
  spec TEXT NOT NULL,
  evidence TEXT NOT NULL,
  history TEXT NOT NULL,
  revision INTEGER NOT NULL,
  started_by TEXT NOT NULL,
  started_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, scope)
) WITHOUT ROWID;
`;

interface WorkflowRow {
  workspace_id: string;
  scope: string;
  name: string;
  state: string;
  allowed: string | null;
  spec: string;
  evidence: string;
  history: string;
  revision: number;
  started_by: string;
  started_at: string;
  updated_at: string;
}

const toRun = (r: WorkflowRow): WorkflowRun => ({
  workspaceId: r.workspace_id,
  scope: r.scope,
  spec: JSON.parse(r.spec) as WorkflowSpec,
  state: r.state,
  evidence: JSON.parse(r.evidence) as WorkflowRun['evidence'],
  history: JSON.parse(r.history) as WorkflowRun['history'],
  revision: r.revision,
  startedBy: r.started_by,
  startedAt: r.started_at,
  updatedAt: r.updated_at,
});

const allowedOf = (spec: WorkflowSpec, state: string): string | null => {
  const tools = spec.states[state]?.allowed_tools;
  return tools === undefined ? null : JSON.stringify(tools);
};

export function createSqliteWorkflowStore(db: SqliteDb): WorkflowStore {
  db.exec(SCHEMA);
  const selectGate = db.prepare<[string, string], { name: string; state: string; allowed: string | null }>(
    'SELECT name, state, allowed FROM workflows WHERE workspace_id = ? AND scope = ?',
  );
  const select = db.prepare<[string, string], WorkflowRow>(
    'SELECT * FROM workflows WHERE workspace_id = ? AND scope = ?',
  );
  const remove = db.prepare('DELETE FROM workflows WHERE workspace_id = ? AND scope = ?');
  const insert = db.prepare(
    `INSERT INTO workflows (workspace_id, scope, name, state, allowed, spec, evidence, history, revision, started_by, started_at, updated_at)
     VALUES (@ws, @scope, @name, @state, @allowed, @spec, @evidence, @history, 1, @startedBy, @startedAt, @startedAt)`,
  );
  const compareAndSet = db.prepare(
    `UPDATE workflows SET state = @state, allowed = @allowed, evidence = @evidence, history = @history,
       revision = @next, updated_at = @ts
     WHERE workspace_id = @ws AND scope = @scope AND revision = @revision`,
  );

  return {
    async gate(ws, scope): Promise<WorkflowGate | undefined> {
      const row = selectGate.get(ws, scope);
      if (!row) return undefined;
      return {
        name: row.name,
        state: row.state,
        allowedTools: row.allowed === null ? undefined : (JSON.parse(row.allowed) as string[]),
      };
    },

    async get(ws, scope) {
      const row = select.get(ws, scope);
      return row ? toRun(row) : undefined;
    },

    async start(run) {
      return writeWithRetries(db, () => {
        const old = select.get(run.workspaceId, run.scope);
        remove.run(run.workspaceId, run.scope);
        insert.run({
          ws: run.workspaceId,
          scope: run.scope,
          name: run.spec.name,
          state: run.state,
          allowed: allowedOf(run.spec, run.state),
          spec: JSON.stringify(run.spec),
          evidence: JSON.stringify(run.evidence),
          history: JSON.stringify(run.history),
          startedBy: run.startedBy,
          startedAt: run.startedAt,
        });
        return { run: { ...run, revision: 1 }, replaced: old ? toRun(old) : undefined };
      });
    },

    async update(ws, scope, change) {
      return writeWithRetries(db, () => {
        const row = select.get(ws, scope);
        if (!row) return undefined;
        const current = toRun(row);
        const next = change(current);
        const ts = new Date().toISOString();
        const written = compareAndSet.run({
          ws,
          scope,
          state: next.state,
          allowed: allowedOf(current.spec, next.state),
          evidence: JSON.stringify(next.evidence),
          history: JSON.stringify(next.history),
          next: current.revision + 1,
          revision: current.revision,
          ts,
        });
        if (written.changes !== 1) throw new RevisionConflict();
        return { ...current, ...next, revision: current.revision + 1, updatedAt: ts };
      });
    },

    async stop(ws, scope) {
      return writeWithRetries(db, () => {
        const row = select.get(ws, scope);
        if (row) remove.run(ws, scope);
        return row ? toRun(row) : undefined;
      });
    },
  };
}
