import {
  HANDOFFS_KEPT,
  type HandoffRecord,
  type HandoffStore,
  SHARES_KEPT,
  type ShareInfo,
  type ShareRecord,
  type ShareStore,
} from '../handoffs.ts';
import { type SqliteDb, writeWithRetries } from './compare-and-set.ts';

const HANDOFF_SCHEMA = `
CREATE TABLE IF NOT EXISTS handoffs (
  workspace_id TEXT NOT NULL,
  id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT,
  created_at TEXT NOT NULL,
  ledger TEXT NOT NULL,
  pulled_by TEXT NOT NULL DEFAULT '[]',
  PRIMARY KEY (workspace_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS handoffs_by_channel ON handoffs (workspace_id, channel_id, created_at);
`;

const SHARE_SCHEMA = `
CREATE TABLE IF NOT EXISTS shares (
  id INTEGER PRIMARY KEY,
  workspace_id TEXT NOT NULL,
  channel_id TEXT NOT NULL,
  sender TEXT NOT NULL,
  recipient TEXT,
  path TEXT NOT NULL,
  hash TEXT NOT NULL,
  text TEXT NOT NULL,
  tokens INTEGER NOT NULL,
  message TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS shares_by_channel ON shares (workspace_id, channel_id, id);
CREATE TABLE IF NOT EXISTS share_pulls (
  share_id INTEGER NOT NULL,
  agent TEXT NOT NULL,
  PRIMARY KEY (share_id, agent)
) WITHOUT ROWID;
`;

interface HandoffRow {
  workspace_id: string;
  id: string;
  channel_id: string;
  sender: string;
  recipient: string | null;
  created_at: string;
  ledger: string;
  pulled_by: string;
}

interface ShareRow {
  id: number;
  workspace_id: string;
  channel_id: string;
  sender: string;
  recipient: string | null;
  path: string;
  hash: string;
  text: string;
  tokens: number;
  message: string | null;
  created_at: string;
}

const toHandoff = (r: HandoffRow): HandoffRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  from: r.sender,
  to: r.recipient ?? undefined,
  createdAt: r.created_at,
  ledgerJson: r.ledger,
  pulledBy: JSON.parse(r.pulled_by) as string[],
});

const toShare = (r: ShareRow): ShareRecord => ({
  id: r.id,
  workspaceId: r.workspace_id,
  channelId: r.channel_id,
  from: r.sender,
  to: r.recipient ?? undefined,
  path: r.path,
  hash: r.hash,
  text: r.text,
  tokens: r.tokens,
  message: r.message ?? undefined,
  createdAt: r.created_at,
});

export function createSqliteHandoffStore(db: SqliteDb): HandoffStore {
  db.exec(HANDOFF_SCHEMA);
  const insert = db.prepare(
    `INSERT INTO handoffs (workspace_id, id, channel_id, sender, recipient, created_at, ledger)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  const prune = db.prepare(
    `DELETE FROM handoffs WHERE workspace_id = @ws AND channel_id = @ch AND created_at <= (
       SELECT created_at FROM handoffs WHERE workspace_id = @ws AND channel_id = @ch
       ORDER BY created_at DESC LIMIT 1 OFFSET @keep)`,
  );
  const select = db.prepare<[string, string], HandoffRow>(
    'SELECT * FROM handoffs WHERE workspace_id = ? AND id = ?',
  );
  const selectChannel = db.prepare<[string, string, number], HandoffRow>(
    'SELECT * FROM handoffs WHERE workspace_id = ? AND channel_id = ? ORDER BY created_at DESC, id LIMIT ?',
  );
  const setPulled = db.prepare('UPDATE handoffs SET pulled_by = ? WHERE workspace_id = ? AND id = ?');
  const removeOne = db.prepare('DELETE FROM handoffs WHERE workspace_id = ? AND channel_id = ? AND id = ?');
  const removeAll = db.prepare('DELETE FROM handoffs WHERE workspace_id = ? AND channel_id = ?');

  return {
    async create(r) {
      return writeWithRetries(db, () => {
        const created =
          insert.run(r.workspaceId, r.id, r.channelId, r.from, r.to ?? null, r.createdAt, r.ledgerJson)
            .changes === 1;
        if (created) prune.run({ ws: r.workspaceId, ch: r.channelId, keep: HANDOFFS_KEPT });
        return { record: toHandoff(select.get(r.workspaceId, r.id) as HandoffRow), created };
      });
    },
    async get(ws, id) {
      const row = select.get(ws, id);
      return row ? toHandoff(row) : undefined;
    },
    async list(ws, ch, limit) {
      return selectChannel.all(ws, ch, limit).map(toHandoff);
    },
    async markPulled(ws, id, agent) {
      writeWithRetries(db, () => {
        const row = select.get(ws, id);
        if (!row) return;
        const pulled = new Set(JSON.parse(row.pulled_by) as string[]).add(agent);
        setPulled.run(JSON.stringify([...pulled]), ws, id);
      });
    },
    async remove(ws, ch, id) {
      return (id === undefined ? removeAll.run(ws, ch) : removeOne.run(ws, ch, id)).changes;
    },
  };
}

export function createSqliteShareStore(db: SqliteDb): ShareStore {
  db.exec(SHARE_SCHEMA);
  const insert = db.prepare(
    `INSERT INTO shares (workspace_id, channel_id, sender, recipient, path, hash, text, tokens, message, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const prune = db.prepare(
    `DELETE FROM shares WHERE workspace_id = @ws AND channel_id = @ch AND id <= (
       SELECT id FROM shares WHERE workspace_id = @ws AND channel_id = @ch ORDER BY id DESC LIMIT 1 OFFSET @keep)`,
  );
  const prunePulls = db.prepare('DELETE FROM share_pulls WHERE share_id NOT IN (SELECT id FROM shares)');
  const selectInfos = db.prepare<[string, string], ShareRow>(
    `SELECT id, workspace_id, channel_id, sender, recipient, path, hash, '' AS text, tokens, message, created_at
     FROM shares WHERE workspace_id = ? AND channel_id = ? ORDER BY id DESC`,
  );
  const selectUnpulled = db.prepare<[string, string, string, string, string], ShareRow>(
    `SELECT * FROM shares s WHERE workspace_id = ? AND channel_id = ? AND sender <> ?
     AND (recipient IS NULL OR recipient = ?)
     AND NOT EXISTS (SELECT 1 FROM share_pulls p WHERE p.share_id = s.id AND p.agent = ?) ORDER BY id`,
  );
  const insertPull = db.prepare('INSERT OR IGNORE INTO share_pulls (share_id, agent) VALUES (?, ?)');
  const clear = db.prepare('DELETE FROM shares WHERE workspace_id = ? AND channel_id = ? AND sender = ?');
  const info = ({ text: _, ...rest }: ShareRecord): ShareInfo => rest;

  return {
    async push(ws, shares) {
      return writeWithRetries(db, () => {
        const out: ShareInfo[] = [];
        for (const s of shares) {
          const id = Number(
            insert.run(
              ws,
              s.channelId,
              s.from,
              s.to ?? null,
              s.path,
              s.hash,
              s.text,
              s.tokens,
              s.message ?? null,
              s.createdAt,
            ).lastInsertRowid,
          );
          out.push(info({ ...s, id, workspaceId: ws }));
        }
        const channels = new Set(shares.map((s) => s.channelId));
        for (const ch of channels) prune.run({ ws, ch, keep: SHARES_KEPT });
        prunePulls.run();
        return out;
      });
    },
    async list(ws, ch) {
      return selectInfos.all(ws, ch).map((r) => info(toShare(r)));
    },
    async pull(ws, ch, agent, paths) {
      return writeWithRetries(db, () => {
        const wanted = paths && paths.length > 0 ? new Set(paths) : undefined;
        const rows = selectUnpulled
          .all(ws, ch, agent, agent, agent)
          .filter((r) => !wanted || wanted.has(r.path));
        for (const r of rows) insertPull.run(r.id, agent);
        return rows.map(toShare);
      });
    },
    async clear(ws, ch, from) {
      return writeWithRetries(db, () => {
        const n = clear.run(ws, ch, from).changes;
        prunePulls.run();
        return n;
      });
    },
  };
}
