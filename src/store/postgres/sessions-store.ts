import type pg from 'pg';
import {
  type EntryKind,
  SAVED_SESSIONS_KEPT,
  type SavedSessionInfo,
  SESSION_RETENTION,
  type SessionContent,
  type SessionEntry,
  type SessionState,
  type SessionStore,
} from '../sessions.ts';
import { num, type Sql, writeInTransaction, writeStatement } from './write-transaction.ts';

interface StateRow {
  revision: string | number;
  task_text: string | null;
  task_agent: string | null;
  task_ts: string | null;
  task_revision: string | number | null;
  updated_at: string;
  updated_by: string;
  entries: EntryJson[];
}

interface EntryJson {
  revision: number;
  kind: EntryKind;
  text: string;
  agent: string;
  ts: string;
  file: string | null;
  line: number | null;
}

interface SaveRow {
  id: string;
  channel_id: string;
  revision: string | number;
  saved_by: string;
  ts: string;
  content: SessionContent;
}

// One statement, so the revision and the entries come from one snapshot.
const SELECT_STATE = `
SELECT s.revision, s.task_text, s.task_agent, s.task_ts, s.task_revision, s.updated_at, s.updated_by,
  (SELECT coalesce(json_agg(json_build_object('revision', e.revision, 'kind', e.kind, 'text', e.text,
      'agent', e.agent, 'ts', e.ts, 'file', e.file, 'line', e.line) ORDER BY e.id), '[]')
   FROM session_entries e WHERE e.workspace_id = s.workspace_id AND e.channel_id = s.channel_id) AS entries
FROM sessions s WHERE s.workspace_id = $1 AND s.channel_id = $2`;

// The revision is assigned here: the row lock this takes holds every other writer of the
// channel until COMMIT, so revisions go up by one with no gap and no twin.
const BUMP_REVISION = `
INSERT INTO sessions AS s (workspace_id, channel_id, revision, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4)
ON CONFLICT (workspace_id, channel_id) DO UPDATE
  SET revision = s.revision + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
RETURNING s.revision`;

// An entry in one statement: the bump, the insert and the prune. Concurrent writers of a channel
// queue on its row for the time PostgreSQL takes to run this, not for four round trips to a
// busy replica (which let 50 writers on one channel pass statement_timeout). The prune sees the
// statement's snapshot, without the new row: OFFSET $9 is the retention minus one. It reads
// `bumped`, so it starts only once the channel's row is held.
const APPLY_ENTRY = `
WITH bumped AS (
  INSERT INTO sessions AS s (workspace_id, channel_id, revision, updated_at, updated_by) VALUES ($1, $2, 1, $3, $4)
  ON CONFLICT (workspace_id, channel_id) DO UPDATE
    SET revision = s.revision + 1, updated_at = excluded.updated_at, updated_by = excluded.updated_by
  RETURNING s.revision
), added AS (
  INSERT INTO session_entries (workspace_id, channel_id, revision, kind, text, agent, ts, file, line)
  SELECT $1::text, $2::text, revision, $5::text, $6::text, $4::text, $3::text, $7::text, $8::integer FROM bumped
), pruned AS (
  DELETE FROM session_entries WHERE workspace_id = $1 AND channel_id = $2 AND kind = $5
    AND EXISTS (SELECT 1 FROM bumped)
    AND id <= (SELECT id FROM session_entries WHERE workspace_id = $1 AND channel_id = $2 AND kind = $5
               ORDER BY id DESC LIMIT 1 OFFSET $9)
)
SELECT revision FROM bumped`;

const SET_TASK = `UPDATE sessions SET task_text = $3, task_agent = $4, task_ts = $5, task_revision = $6
  WHERE workspace_id = $1 AND channel_id = $2`;

const INSERT_ENTRY = `INSERT INTO session_entries (workspace_id, channel_id, revision, kind, text, agent, ts, file, line)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

const PRUNE_KIND = `
DELETE FROM session_entries WHERE workspace_id = $1 AND channel_id = $2 AND kind = $3 AND id <= (
  SELECT id FROM session_entries WHERE workspace_id = $1 AND channel_id = $2 AND kind = $3
  ORDER BY id DESC LIMIT 1 OFFSET $4)`;

const UPSERT_SAVE = `
INSERT INTO session_saves (workspace_id, id, channel_id, revision, saved_by, ts, content) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workspace_id, id) DO UPDATE SET channel_id = excluded.channel_id, revision = excluded.revision,
  saved_by = excluded.saved_by, ts = excluded.ts, content = excluded.content`;

const PRUNE_SAVES = `
DELETE FROM session_saves WHERE workspace_id = $1 AND ts <= (
  SELECT ts FROM session_saves WHERE workspace_id = $1 ORDER BY ts DESC LIMIT 1 OFFSET $2)`;

const toEntry = (e: EntryJson): SessionEntry => ({
  revision: e.revision,
  kind: e.kind,
  text: e.text,
  agent: e.agent,
  ts: e.ts,
  ...(e.file !== null ? { file: e.file } : {}),
  ...(e.line !== null ? { line: e.line } : {}),
});

const toSaveInfo = (r: SaveRow): SavedSessionInfo => ({
  id: r.id,
  channelId: r.channel_id,
  revision: num(r.revision),
  savedBy: r.saved_by,
  ts: r.ts,
  task: r.content.task?.text,
  entries: r.content.entries.length,
});

const contentOf = (state: Pick<SessionState, 'task' | 'entries'>): SessionContent => ({
  task: state.task ? { text: state.task.text, agent: state.task.agent, ts: state.task.ts } : undefined,
  entries: state.entries.map(({ revision: _, ...e }) => e),
});

async function readState(sql: Sql, ws: string, ch: string): Promise<SessionState> {
  const row = (await sql.query<StateRow>(SELECT_STATE, [ws, ch])).rows[0];
  const task =
    row?.task_text != null
      ? {
          text: row.task_text,
          agent: row.task_agent ?? '',
          ts: row.task_ts ?? '',
          revision: row.task_revision === null ? 0 : num(row.task_revision),
        }
      : undefined;
  return {
    workspaceId: ws,
    channelId: ch,
    revision: row ? num(row.revision) : 0,
    task,
    entries: row ? row.entries.map(toEntry) : [],
    updatedAt: row?.updated_at,
    updatedBy: row?.updated_by,
  };
}

async function addEntry(
  sql: Sql,
  ws: string,
  ch: string,
  revision: number,
  e: Omit<SessionEntry, 'revision'>,
) {
  await sql.query(INSERT_ENTRY, [
    ws,
    ch,
    revision,
    e.kind,
    e.text,
    e.agent,
    e.ts,
    e.file ?? null,
    e.line ?? null,
  ]);
}

async function prune(sql: Sql, ws: string, ch: string, kind: EntryKind) {
  await sql.query(PRUNE_KIND, [ws, ch, kind, SESSION_RETENTION[kind]]);
}

/** Writes `state` as a save; the caller holds the session row so the copy is one revision's. */
async function saveState(sql: Sql, state: SessionState, id: string | undefined, agent: string, ts: string) {
  const savedAs = id ?? `${state.channelId}@${state.revision}`;
  await sql.query(UPSERT_SAVE, [
    state.workspaceId,
    savedAs,
    state.channelId,
    state.revision,
    agent,
    ts,
    JSON.stringify(contentOf(state)),
  ]);
  await sql.query(PRUNE_SAVES, [state.workspaceId, SAVED_SESSIONS_KEPT]);
  return savedAs;
}

/** Shared sessions in PostgreSQL: one row per channel holds the revision, entries their own table. */
export function createPgSessionStore(pool: pg.Pool): SessionStore {
  return {
    async get(ws, ch) {
      return readState(pool, ws, ch);
    },

    async apply(ws, ch, agent, change) {
      if (change.kind !== 'task' && change.kind !== 'reset' && change.kind !== 'replace') {
        const ts = new Date().toISOString();
        const { rows } = await writeStatement<{ revision: string | number }>(pool, APPLY_ENTRY, [
          ws,
          ch,
          ts,
          agent,
          change.kind,
          change.text,
          change.file ?? null,
          change.line ?? null,
          SESSION_RETENTION[change.kind] - 1,
        ]);
        return { revision: num(rows[0]?.revision ?? 0), ts, savedAs: undefined };
      }
      return writeInTransaction(pool, async (sql) => {
        const ts = new Date().toISOString();
        const bumped = (await sql.query<{ revision: string | number }>(BUMP_REVISION, [ws, ch, ts, agent]))
          .rows[0];
        const revision = num(bumped?.revision ?? 0);
        let savedAs: string | undefined;
        switch (change.kind) {
          case 'task':
            await sql.query(SET_TASK, [ws, ch, change.text, agent, ts, revision]);
            break;
          case 'reset': {
            // a reset keeps what it clears, at the revision it had; the bump left task and entries as they were
            const before = await readState(sql, ws, ch);
            savedAs = await saveState(sql, { ...before, revision: revision - 1 }, undefined, agent, ts);
            await sql.query('DELETE FROM session_entries WHERE workspace_id = $1 AND channel_id = $2', [
              ws,
              ch,
            ]);
            await sql.query(SET_TASK, [ws, ch, null, null, null, null]);
            break;
          }
          case 'replace': {
            await sql.query('DELETE FROM session_entries WHERE workspace_id = $1 AND channel_id = $2', [
              ws,
              ch,
            ]);
            const t = change.content.task;
            await sql.query(SET_TASK, [
              ws,
              ch,
              t?.text ?? null,
              t?.agent ?? null,
              t?.ts ?? null,
              t ? revision : null,
            ]);
            for (const e of change.content.entries) await addEntry(sql, ws, ch, revision, e);
            for (const kind of Object.keys(SESSION_RETENTION) as EntryKind[]) await prune(sql, ws, ch, kind);
            break;
          }
        }
        return { revision, ts, savedAs };
      });
    },

    async channels(ws) {
      const { rows } = await pool.query<{
        channel_id: string;
        revision: string | number;
        updated_at: string;
        task_text: string | null;
      }>(
        'SELECT channel_id, revision, updated_at, task_text FROM sessions WHERE workspace_id = $1 ORDER BY channel_id',
        [ws],
      );
      return rows.map((r) => ({
        channelId: r.channel_id,
        revision: num(r.revision),
        updatedAt: r.updated_at,
        task: r.task_text ?? undefined,
      }));
    },

    async save(ws, ch, id, agent) {
      return writeInTransaction(pool, async (sql) => {
        const ts = new Date().toISOString();
        // FOR SHARE holds off writers of the channel, so task and entries are one revision's
        await sql.query('SELECT 1 FROM sessions WHERE workspace_id = $1 AND channel_id = $2 FOR SHARE', [
          ws,
          ch,
        ]);
        const state = await readState(sql, ws, ch);
        const savedAs = await saveState(sql, state, id, agent, ts);
        return {
          id: savedAs,
          channelId: ch,
          revision: state.revision,
          savedBy: agent,
          ts,
          task: state.task?.text,
          entries: state.entries.length,
        };
      });
    },

    async saved(ws) {
      const { rows } = await pool.query<SaveRow>(
        'SELECT id, channel_id, revision, saved_by, ts, content FROM session_saves WHERE workspace_id = $1 ORDER BY ts DESC, id',
        [ws],
      );
      return rows.map(toSaveInfo);
    },

    async loadSaved(ws, id) {
      const { rows } = await pool.query<SaveRow>(
        'SELECT id, channel_id, revision, saved_by, ts, content FROM session_saves WHERE workspace_id = $1 AND id = $2',
        [ws, id],
      );
      const row = rows[0];
      return row ? { ...toSaveInfo(row), content: row.content } : undefined;
    },

    async removeSaved(ws, beforeTs) {
      const result = await pool.query('DELETE FROM session_saves WHERE workspace_id = $1 AND ts < $2', [
        ws,
        beforeTs,
      ]);
      return result.rowCount ?? 0;
    },
  };
}
