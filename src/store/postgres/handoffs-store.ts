import type pg from 'pg';
import {
  HANDOFFS_KEPT,
  type HandoffRecord,
  type HandoffStore,
  SHARES_KEPT,
  type ShareInfo,
  type ShareRecord,
  type ShareStore,
} from '../handoffs.ts';
import { num, writeInTransaction } from './write-transaction.ts';

interface HandoffRow {
  workspace_id: string;
  id: string;
  channel_id: string;
  sender: string;
  recipient: string | null;
  created_at: string;
  ledger: string;
  pulled_by: string[];
}

interface ShareRow {
  id: string | number;
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
  pulledBy: r.pulled_by,
});

const toShare = (r: ShareRow): ShareRecord => ({
  id: num(r.id),
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

const info = ({ text: _, ...rest }: ShareRecord): ShareInfo => rest;

export function createPgHandoffStore(pool: pg.Pool): HandoffStore {
  return {
    async create(r) {
      return writeInTransaction(pool, async (sql) => {
        const inserted = await sql.query(
          `INSERT INTO handoffs (workspace_id, id, channel_id, sender, recipient, created_at, ledger)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [r.workspaceId, r.id, r.channelId, r.from, r.to ?? null, r.createdAt, r.ledgerJson],
        );
        const created = inserted.rowCount === 1;
        if (created) {
          await sql.query(
            `DELETE FROM handoffs WHERE workspace_id = $1 AND channel_id = $2 AND created_at <= (
               SELECT created_at FROM handoffs WHERE workspace_id = $1 AND channel_id = $2
               ORDER BY created_at DESC LIMIT 1 OFFSET $3)`,
            [r.workspaceId, r.channelId, HANDOFFS_KEPT],
          );
        }
        const { rows } = await sql.query<HandoffRow>(
          'SELECT * FROM handoffs WHERE workspace_id = $1 AND id = $2',
          [r.workspaceId, r.id],
        );
        return { record: toHandoff(rows[0] as HandoffRow), created };
      });
    },

    async get(ws, id) {
      const { rows } = await pool.query<HandoffRow>(
        'SELECT * FROM handoffs WHERE workspace_id = $1 AND id = $2',
        [ws, id],
      );
      return rows[0] ? toHandoff(rows[0]) : undefined;
    },

    async list(ws, ch, limit) {
      const { rows } = await pool.query<HandoffRow>(
        'SELECT * FROM handoffs WHERE workspace_id = $1 AND channel_id = $2 ORDER BY created_at DESC, id LIMIT $3',
        [ws, ch, limit],
      );
      return rows.map(toHandoff);
    },

    async markPulled(ws, id, agent) {
      // one statement: a concurrent puller waits on the row and then sees the name already there
      await pool.query(
        `UPDATE handoffs SET pulled_by = pulled_by || jsonb_build_array($3::text)
         WHERE workspace_id = $1 AND id = $2 AND NOT pulled_by ? $3::text`,
        [ws, id, agent],
      );
    },

    async remove(ws, ch, id) {
      const result =
        id === undefined
          ? await pool.query('DELETE FROM handoffs WHERE workspace_id = $1 AND channel_id = $2', [ws, ch])
          : await pool.query('DELETE FROM handoffs WHERE workspace_id = $1 AND channel_id = $2 AND id = $3', [
              ws,
              ch,
              id,
            ]);
      return result.rowCount ?? 0;
    },
  };
}

export function createPgShareStore(pool: pg.Pool): ShareStore {
  return {
    async push(ws, shares) {
      return writeInTransaction(pool, async (sql) => {
        const out: ShareInfo[] = [];
        for (const s of shares) {
          const { rows } = await sql.query<{ id: string | number }>(
            `INSERT INTO shares (workspace_id, channel_id, sender, recipient, path, hash, text, tokens, message, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
            [
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
            ],
          );
          out.push(info({ ...s, id: num(rows[0]?.id ?? 0), workspaceId: ws }));
        }
        // share_pulls rows go with their share (ON DELETE CASCADE)
        for (const ch of new Set(shares.map((s) => s.channelId))) {
          await sql.query(
            `DELETE FROM shares WHERE workspace_id = $1 AND channel_id = $2 AND id <= (
               SELECT id FROM shares WHERE workspace_id = $1 AND channel_id = $2 ORDER BY id DESC LIMIT 1 OFFSET $3)`,
            [ws, ch, SHARES_KEPT],
          );
        }
        return out;
      });
    },

    async list(ws, ch) {
      const { rows } = await pool.query<ShareRow>(
        `SELECT id, workspace_id, channel_id, sender, recipient, path, hash, '' AS text, tokens, message, created_at
         FROM shares WHERE workspace_id = $1 AND channel_id = $2 ORDER BY id DESC`,
        [ws, ch],
      );
      return rows.map((r) => info(toShare(r)));
    },

    async pull(ws, ch, agent, paths) {
      // The pulls this call inserts are the views it returns: a concurrent pull by the same
      // agent waits on those keys and then inserts, and returns, none of them.
      return writeInTransaction(pool, async (sql) => {
        const { rows } = await sql.query<ShareRow>(
          `WITH wanted AS (
             SELECT s.id FROM shares s WHERE s.workspace_id = $1 AND s.channel_id = $2 AND s.sender <> $3
               AND (s.recipient IS NULL OR s.recipient = $3) AND ($4::text[] IS NULL OR s.path = ANY ($4::text[]))
               AND NOT EXISTS (SELECT 1 FROM share_pulls p WHERE p.share_id = s.id AND p.agent = $3)
           ), pulled AS (
             INSERT INTO share_pulls (share_id, agent) SELECT id, $3 FROM wanted ON CONFLICT DO NOTHING RETURNING share_id
           )
           SELECT s.* FROM shares s JOIN pulled ON pulled.share_id = s.id ORDER BY s.id`,
          [ws, ch, agent, paths && paths.length > 0 ? [...paths] : null],
        );
        return rows.map(toShare);
      });
    },

    async clear(ws, ch, from) {
      const result = await pool.query(
        'DELETE FROM shares WHERE workspace_id = $1 AND channel_id = $2 AND sender = $3',
        [ws, ch, from],
      );
      return result.rowCount ?? 0;
    },
  };
}
