import { notifyPayloads } from '../../events/pg-notify-fan-out.ts';
import { type ChannelInfo, type EventRecord, type EventStore, MAX_EVENT_SEARCH_TERMS } from '../types.ts';
import { createGroupCommit } from './group-commit.ts';
import type { PgDatabase } from './pool.ts';

interface EventRow {
  workspace_id: string;
  channel_id: string;
  revision: number;
  kind: string;
  actor: string;
  ts: string;
  payload: string;
}

const toEvent = (row: EventRow): EventRecord => ({
  workspaceId: row.workspace_id,
  channelId: row.channel_id,
  revision: row.revision,
  kind: row.kind,
  actor: row.actor,
  ts: row.ts,
  payload: JSON.parse(row.payload) as Record<string, unknown>,
});

/**
 * Events in PostgreSQL. A channel's revisions come from its row in `event_heads`, advanced in
 * the transaction that inserts the events: the row lock orders writers of every process, so
 * revisions never collide or skip, and they commit in revision order.
 */
export function createPgEventStore(
  db: PgDatabase,
  /** LISTEN/NOTIFY fan-out: each batch is announced on `channel` by its own transaction, so at commit. */
  notify?: { channel: string; originId: string },
): EventStore & { settled(): Promise<void> } {
  const writes = createGroupCommit<EventRecord>((rows) =>
    db.transaction(async (client) => {
      const byChannel = new Map<string, EventRecord[]>();
      for (const e of rows) {
        const key = `${e.workspaceId}\u0000${e.channelId}`;
        const list = byChannel.get(key);
        if (list) list.push(e);
        else byChannel.set(key, [e]);
      }
      // heads are locked in one order by every process, so two batches cannot deadlock
      for (const key of [...byChannel.keys()].sort()) {
        const list = byChannel.get(key) as EventRecord[];
        const first = list[0] as EventRecord;
        const { rows: head } = await client.query<{ revision: number }>(
          `INSERT INTO event_heads (workspace_id, channel_id, revision) VALUES ($1, $2, $3)
           ON CONFLICT (workspace_id, channel_id) DO UPDATE SET revision = event_heads.revision + EXCLUDED.revision
           RETURNING revision`,
          [first.workspaceId, first.channelId, list.length],
        );
        const last = head[0]?.revision ?? list.length;
        list.forEach((e, i) => {
          e.revision = last - list.length + 1 + i;
        });
      }
      await client.query(
        `INSERT INTO events (workspace_id, channel_id, revision, kind, actor, ts, payload)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          rows.map((e) => e.workspaceId),
          rows.map((e) => e.channelId),
          rows.map((e) => e.revision),
          rows.map((e) => e.kind),
          rows.map((e) => e.actor),
          rows.map((e) => e.ts),
          rows.map((e) => JSON.stringify(e.payload)),
        ],
      );
      if (notify) {
        await client.query('SELECT pg_notify($1, m) FROM unnest($2::text[]) AS m', [
          notify.channel,
          notifyPayloads(rows, notify.originId),
        ]);
      }
    }),
  );
  // reads see every append this process started before them, as the SQLite store's do
  const settled = writes.settled;

  return {
    settled,
    async append(e) {
      const record: EventRecord = { ...e, revision: 0, ts: e.ts ?? new Date().toISOString() };
      await writes.add(record);
      return record;
    },
    async since(ws, ch, after, limit) {
      await settled();
      const rows = await db.query<EventRow>(
        `SELECT * FROM events WHERE workspace_id = $1 AND channel_id = $2 AND revision > $3
         ORDER BY revision LIMIT $4`,
        [ws, ch, after, limit],
      );
      return rows.map(toEvent);
    },
    async latestRevision(ws, ch) {
      await settled();
      const rows = await db.query<{ revision: number }>(
        'SELECT revision FROM event_heads WHERE workspace_id = $1 AND channel_id = $2',
        [ws, ch],
      );
      return rows[0]?.revision ?? 0;
    },
    async search(ws, ch, terms, { limit, scan }) {
      if (terms.length > MAX_EVENT_SEARCH_TERMS)
        throw new RangeError(`at most ${MAX_EVENT_SEARCH_TERMS} search terms`);
      await settled();
      const match = terms.map((_, i) => `strpos(lower(payload), $${i + 5}) > 0`);
      const rows = await db.query<EventRow>(
        `SELECT * FROM (SELECT * FROM events WHERE workspace_id = $1 AND ($2::text IS NULL OR channel_id = $2)
           ORDER BY ts DESC, revision DESC LIMIT $3) recent
         ${match.length > 0 ? `WHERE ${match.join(' AND ')}` : ''}
         ORDER BY ts DESC, revision DESC LIMIT $4`,
        [ws, ch ?? null, scan, limit, ...terms.map((t) => t.toLowerCase())],
      );
      return rows.map(toEvent);
    },
    async channels(ws): Promise<ChannelInfo[]> {
      await settled();
      const rows = await db.query<{ channel_id: string; revision: number; last: string; agents: string[] }>(
        `SELECT channel_id, MAX(revision) AS revision, MAX(ts) AS last, array_agg(DISTINCT actor ORDER BY actor) AS agents
         FROM events WHERE workspace_id = $1 GROUP BY channel_id ORDER BY channel_id`,
        [ws],
      );
      return rows.map((r) => ({
        channelId: r.channel_id,
        revision: r.revision,
        lastActivity: r.last,
        agents: r.agents,
      }));
    },
    async heads(ws) {
      await settled();
      // event_heads holds each channel's newest revision, and prune never deletes that event
      return db.query<{ channelId: string; revision: number; ts: string }>(
        `SELECT h.channel_id AS "channelId", h.revision, e.ts
         FROM event_heads h JOIN events e
           ON e.workspace_id = h.workspace_id AND e.channel_id = h.channel_id AND e.revision = h.revision
         WHERE h.workspace_id = $1 ORDER BY h.channel_id`,
        [ws],
      );
    },
    async prune({ olderThan, keepPerChannel }) {
      await settled();
      // a channel's head event always stays: revisions keep counting up from it
      const rows = await db.query<{ n: number }>(
        `WITH gone AS (
           DELETE FROM events e USING event_heads h
           WHERE e.workspace_id = h.workspace_id AND e.channel_id = h.channel_id AND e.revision < h.revision
             AND (e.revision <= h.revision - $2 OR e.ts < $1)
           RETURNING 1)
         SELECT COUNT(*) AS n FROM gone`,
        [olderThan, Math.max(1, keepPerChannel)],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
