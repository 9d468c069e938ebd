import { planNotifications } from '../../events/pg-notify-fan-out.ts';
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
 * One batch's append, one statement: it advances each channel's `event_heads` row by the
 * batch's count (rows locked in key order, so two replicas' batches cannot deadlock), numbers
 * the events from it, inserts them and, with `notify`, sends the planned NOTIFY messages. The
 * head row stays locked until the statement commits, so a channel's revisions never collide or
 * skip across processes and commit in revision order.
 */
const appendSql = (notify: boolean) => `WITH batch AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]${notify ? ', $7::text[], $8::int[]' : ''})
    WITH ORDINALITY AS b(workspace_id, channel_id, kind, actor, ts, payload${notify ? ', body, message' : ''}, ord)
), counts AS (
  SELECT workspace_id, channel_id, COUNT(*) AS n FROM batch GROUP BY workspace_id, channel_id
), heads AS (
  INSERT INTO event_heads (workspace_id, channel_id, revision)
  SELECT workspace_id, channel_id, n FROM counts ORDER BY workspace_id COLLATE "C", channel_id COLLATE "C"
  ON CONFLICT (workspace_id, channel_id) DO UPDATE SET revision = event_heads.revision + EXCLUDED.revision
  RETURNING workspace_id, channel_id, revision
), numbered AS (
  SELECT b.*, h.revision - c.n + row_number() OVER (PARTITION BY b.workspace_id, b.channel_id ORDER BY b.ord) AS revision
  FROM batch b JOIN counts c USING (workspace_id, channel_id) JOIN heads h USING (workspace_id, channel_id)
), inserted AS (
  INSERT INTO events (workspace_id, channel_id, revision, kind, actor, ts, payload)
  SELECT workspace_id, channel_id, revision, kind, actor, ts, payload FROM numbered
)${
  notify
    ? `, sent AS (
  SELECT COUNT(pg_notify($9::text, m)) FROM (
    SELECT CASE WHEN bool_and(body IS NULL) THEN $11::text
      ELSE $10::text || string_agg('{"revision":' || revision || ',' || body, ',' ORDER BY ord) || ']}' END AS m
    FROM numbered GROUP BY message ORDER BY message) messages
)`
    : ''
}
SELECT revision FROM numbered${notify ? ', sent' : ''} ORDER BY ord`;

/**
 * Events in PostgreSQL. A channel's revisions come from its row in `event_heads`, advanced in
 * the statement that inserts the events (appendSql).
 */
export function createPgEventStore(
  db: PgDatabase,
  /** LISTEN/NOTIFY fan-out: each batch is announced on `channel` by the statement that appends it, so at commit. */
  notify?: { channel: string; originId: string },
): EventStore & { settled(): Promise<void> } {
  const writes = createGroupCommit<EventRecord>(async (rows) => {
    const params: unknown[] = [
      rows.map((e) => e.workspaceId),
      rows.map((e) => e.channelId),
      rows.map((e) => e.kind),
      rows.map((e) => e.actor),
      rows.map((e) => e.ts),
      rows.map((e) => JSON.stringify(e.payload)),
    ];
    if (notify) {
      const plan = planNotifications(rows, notify.originId);
      params.push(plan.bodies, plan.messages, notify.channel, plan.prefix, plan.resync);
    }
    const numbered = await db.write<{ revision: number }>(appendSql(notify !== undefined), params);
    if (numbered.length !== rows.length)
      throw new Error(`the event append returned ${numbered.length} revisions for ${rows.length} events`);
    rows.forEach((e, i) => {
      e.revision = (numbered[i] as { revision: number }).revision;
    });
  });
  // reads see every append this process started before them, as the SQLite store's do
  const settled = writes.settled;

  return {
    settled,
    async append(e, opts) {
      const record: EventRecord = { ...e, revision: 0, ts: e.ts ?? new Date().toISOString() };
      // an event nobody waits for (a call's tool_call_recorded, presence) rides with the next batch
      await writes.add(record, { lazy: opts?.awaited !== true });
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
