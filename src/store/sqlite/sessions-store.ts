import {
  type ChannelSession,
  type EntryKind,
  SAVED_SESSIONS_KEPT,
  type SavedSession,
  type SavedSessionInfo,
  SESSION_RETENTION,
  type SessionChange,
  type SessionContent,
  type SessionEntry,
  type SessionState,
  type SessionStore,
} from '../sessions.ts';
import { RevisionConflict, type SqliteDb, writeWithRetries } from './compare-and-set.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  task_text TEXT,
  task_agent TEXT,
  task_ts TEXT,
  task_revision INTEGER,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  PRIMARY KEY (workspace_id, channel_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS session_entries (
  id INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  kind TEXT NOT NULL,
  text TEXT NOT NULL,
  agent TEXT NOT NULL,
  ts TEXT NOT NULL,
  file TEXT,
  line INTEGER
);
CREATE INDEX IF NOT EXISTS session_entries_by_kind ON session_entries (workspace_id, channel_id, kind, id);
CREATE TABLE IF NOT EXISTS session_saves (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  saved_by TEXT NOT NULL,
  ts TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
`;

interface SessionRow {
  revision: number;
  task_text: string | null;
  task_agent: string | null;
  task_ts: string | null;
  task_revision: number | null;
  updated_at: string;
  updated_by: string;
}

interface EntryRow {
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
  revision: number;
  saved_by: string;
  ts: string;
  content: string;
}

const toEntry = (r: EntryRow): SessionEntry => ({
  revision: r.revision,
  kind: r.kind,
  text: r.text,
  agent: r.agent,
  ts: r.ts,
  ...(r.file !== null ? { file: r.file } : {}),
  ...(r.line !== null ? { line: r.line } : {}),
});

const toSaveInfo = (r: SaveRow): SavedSessionInfo => {
  const content = JSON.parse(r.content) as SessionContent;
  return {
    id: r.id,
    channelId: r.channel_id,
    revision: r.revision,
    savedBy: r.saved_by,
    ts: r.ts,
    task: content.task?.text,
    entries: content.entries.length,
  };
};

const contentOf = (state: Pick<SessionState, 'task' | 'entries'>): SessionContent => ({
  task: state.task ? { text: state.task.text, agent: state.task.agent, ts: state.task.ts } : undefined,
  entries: state.entries.map(({ revision: _, ...e }) => e),
});

/** Shared sessions in SQLite: one row per channel with the revision, entries in their own table. */
export function createSqliteSessionStore(db: SqliteDb): SessionStore {
  db.exec(SCHEMA);
  const selectSession = db.prepare<[string, string], SessionRow>(
    'SELECT * FROM sessions WHERE workspace_id = ? AND channel_id = ?',
  );
  const selectEntries = db.prepare<[string, string], EntryRow>(
    'SELECT revision, kind, text, agent, ts, file, line FROM session_entries WHERE workspace_id = ? AND channel_id = ? ORDER BY id',
  );
  const insertSession = db.prepare(
    'INSERT INTO sessions (workspace_id, channel_id, revision, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)',
  );
  const bumpRevision = db.prepare(
    'UPDATE sessions SET revision = ?, updated_at = ?, updated_by = ? WHERE workspace_id = ? AND channel_id = ? AND revision = ?',
  );
  const setTask = db.prepare(
    'UPDATE sessions SET task_text = ?, task_agent = ?, task_ts = ?, task_revision = ? WHERE workspace_id = ? AND channel_id = ?',
  );
  const insertEntry = db.prepare(
    'INSERT INTO session_entries (workspace_id, channel_id, revision, kind, text, agent, ts, file, line) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const pruneKind = db.prepare(
    `DELETE FROM session_entries WHERE workspace_id = @ws AND channel_id = @ch AND kind = @kind AND id <= (
       SELECT id FROM session_entries WHERE workspace_id = @ws AND channel_id = @ch AND kind = @kind
       ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
  );
  const deleteEntries = db.prepare('DELETE FROM session_entries WHERE workspace_id = ? AND channel_id = ?');
  const upsertSave = db.prepare(
    `INSERT INTO session_saves (workspace_id, id, channel_id, revision, saved_by, ts, content) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (workspace_id, id) DO UPDATE SET channel_id = excluded.channel_id, revision = excluded.revision,
       saved_by = excluded.saved_by, ts = excluded.ts, content = excluded.content`,
  );
  const pruneSaves = db.prepare(
    `DELETE FROM session_saves WHERE workspace_id = @ws AND ts <= (
       SELECT ts FROM session_saves WHERE workspace_id = @ws ORDER BY ts DESC LIMIT 1 OFFSET @keep)`,
  );
  const selectSaves = db.prepare<[string], SaveRow>(
    'SELECT * FROM session_saves WHERE workspace_id = ? ORDER BY ts DESC, id',
  );
  const selectSave = db.prepare<[string, string], SaveRow>(
    'SELECT * FROM session_saves WHERE workspace_id = ? AND id = ?',
  );
  const deleteSavesBefore = db.prepare('DELETE FROM session_saves WHERE workspace_id = ? AND ts < ?');
  const selectChannels = db.prepare<
    [string],
    { channel_id: string; revision: number; updated_at: string; task_text: string | null }
  >(
    'SELECT channel_id, revision, updated_at, task_text FROM sessions WHERE workspace_id = ? ORDER BY channel_id',
  );

  const read = (ws: string, ch: string): SessionState => {
    const row = selectSession.get(ws, ch);
    const task =
      row?.task_text != null
        ? {
            text: row.task_text,
            agent: row.task_agent ?? '',
            ts: row.task_ts ?? '',
            revision: row.task_revision ?? 0,
          }
        : undefined;
    return {
      workspaceId: ws,
      channelId: ch,
      revision: row?.revision ?? 0,
      task,
      entries: row ? selectEntries.all(ws, ch).map(toEntry) : [],
      updatedAt: row?.updated_at,
      updatedBy: row?.updated_by,
    };
  };

  const addEntry = (ws: string, ch: string, revision: number, e: Omit<SessionEntry, 'revision'>) => {
    insertEntry.run(ws, ch, revision, e.kind, e.text, e.agent, e.ts, e.file ?? null, e.line ?? null);
  };
  const prune = (ws: string, ch: string, kind: EntryKind) =>
    pruneKind.run({ ws, ch, kind, keep: SESSION_RETENTION[kind] });
  const saveContent = (ws: string, ch: string, id: string | undefined, agent: string, ts: string) => {
    const state = read(ws, ch);
    const savedAs = id ?? `${ch}@${state.revision}`;
    upsertSave.run(ws, savedAs, ch, state.revision, agent, ts, JSON.stringify(contentOf(state)));
    pruneSaves.run({ ws, keep: SAVED_SESSIONS_KEPT });
    return { state, savedAs };
  };

  return {
    async get(ws, ch) {
      return read(ws, ch);
    },

    async apply(ws, ch, agent, change: SessionChange) {
      return writeWithRetries(db, () => {
        const ts = new Date().toISOString();
        const current = selectSession.get(ws, ch)?.revision;
        const revision = (current ?? 0) + 1;
        // a reset keeps what it clears, at the revision it had
        const savedAs =
          change.kind === 'reset' ? saveContent(ws, ch, undefined, agent, ts).savedAs : undefined;
        // compare-and-set: the row must still hold the revision read above
        if (current === undefined) insertSession.run(ws, ch, revision, ts, agent);
        else if (bumpRevision.run(revision, ts, agent, ws, ch, current).changes !== 1) {
          throw new RevisionConflict();
        }
        switch (change.kind) {
          case 'task':
            setTask.run(change.text, agent, ts, revision, ws, ch);
            break;
          case 'reset':
            deleteEntries.run(ws, ch);
            setTask.run(null, null, null, null, ws, ch);
            break;
          case 'replace': {
            deleteEntries.run(ws, ch);
            const t = change.content.task;
            setTask.run(t?.text ?? null, t?.agent ?? null, t?.ts ?? null, t ? revision : null, ws, ch);
            for (const e of change.content.entries) addEntry(ws, ch, revision, e);
            for (const kind of Object.keys(SESSION_RETENTION) as EntryKind[]) prune(ws, ch, kind);
            break;
          }
          default:
            addEntry(ws, ch, revision, { ...change, agent, ts });
            prune(ws, ch, change.kind);
        }
        return { revision, ts, savedAs };
      });
    },

    async channels(ws): Promise<ChannelSession[]> {
      return selectChannels.all(ws).map((r) => ({
        channelId: r.channel_id,
        revision: r.revision,
        updatedAt: r.updated_at,
        task: r.task_text ?? undefined,
      }));
    },

    async save(ws, ch, id, agent) {
      return writeWithRetries(db, () => {
        const ts = new Date().toISOString();
        const { state, savedAs } = saveContent(ws, ch, id, agent, ts);
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
      return selectSaves.all(ws).map(toSaveInfo);
    },

    async loadSaved(ws, id): Promise<SavedSession | undefined> {
      const row = selectSave.get(ws, id);
      if (!row) return undefined;
      return { ...toSaveInfo(row), content: JSON.parse(row.content) as SessionContent };
    },

    async removeSaved(ws, beforeTs) {
      return deleteSavesBefore.run(ws, beforeTs).changes;
    },
  };
}
