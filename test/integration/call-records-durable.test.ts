import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** One `ctx_session` finding; the status, and the session revision of an acknowledged write. */
async function finding(srv: RunningTestServer, channelId: string, text: string) {
  const res = await callTool(srv, 'alice', {
    name: 'ctx_session',
    arguments: { action: 'finding', value: text },
    channelId,
  });
  const body = (await res.json()) as { result?: { content: { text?: string }[] }; error_code?: string };
  const texts = body.result?.content.map((c) => c.text ?? '') ?? [];
  const revision = /\(rev (\d+)\)/.exec(texts[0] ?? '')?.[1];
  return {
    status: res.status,
    code: body.error_code,
    revision: revision === undefined ? undefined : Number(revision),
    texts,
  };
}

async function droppedRecords(srv: RunningTestServer): Promise<Record<string, number>> {
  const text = await (await srv.request('/v1/metrics?format=prometheus', { as: 'alice' })).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^leanctx_records_dropped_total\{([^}]*)\} (\d+)/gm)) {
    const record = /record="(\w+)"/.exec(m[1] ?? '')?.[1] ?? '?';
    out[record] = (out[record] ?? 0) + Number(m[2]);
  }
  return out;
}

describe('call records on PostgreSQL under a burst', () => {
  const dbs: TestDatabase[] = [];
  after(async () => {
    for (const db of dbs) await db.drop();
  });

  test('a burst through a two-connection pool: every acknowledged write has its event, every answered call its usage row and tool_call_recorded event', async () => {
    const db = await withTestDatabase();
    dbs.push(db);
    const srv = await startTestServer({
      config: {
        store: { kind: 'postgres', url: db.url, maxConnections: 2, connectTimeoutMs: 250 },
        maxConcurrency: 512,
        maxRps: 10_000,
        rateBurst: 10_000,
      },
    });
    const BURST = 300;
    let answers: Awaited<ReturnType<typeof finding>>[];
    try {
      answers = await Promise.all(
        Array.from({ length: BURST }, (_, i) => finding(srv, 'burst', `finding ${i}`)),
      );
      assert.deepEqual(await droppedRecords(srv), {}, 'nothing was given up');
    } finally {
      // closing waits for what the store was handed
      await srv.close();
    }
    const acked = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    for (const a of refused) assert.equal(a.code, 'store_unavailable', `a refusal: ${JSON.stringify(a)}`);
    // guards: the pool was overrun (else this proves nothing), and most writes still went through
    assert.ok(refused.length > 0, 'no call found the pool busy: the burst did not load it');
    assert.ok(acked.length >= 10, `only ${acked.length} of ${BURST} writes were acknowledged`);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const count = async (sql: string, params: unknown[] = []) =>
        Number((await client.query<{ n: string }>(sql, params)).rows[0]?.n);
      assert.equal(
        await count(`SELECT COUNT(*) AS n FROM usage WHERE tool = 'ctx_session'`),
        acked.length,
        'one usage row per answered call',
      );
      assert.equal(
        await count(
          `SELECT COUNT(*) AS n FROM events WHERE channel_id = 'burst' AND kind = 'tool_call_recorded'`,
        ),
        acked.length,
        'one tool_call_recorded event per answered call',
      );
      const { rows } = await client.query<{ payload: string }>(
        `SELECT payload FROM events WHERE channel_id = 'burst' AND kind = 'session_mutated'`,
      );
      const evented = new Set(
        rows.map((r) => (JSON.parse(r.payload) as { sessionRevision: number }).sessionRevision),
      );
      const missing = acked.filter((a) => a.revision === undefined || !evented.has(a.revision));
      assert.deepEqual(missing, [], 'every acknowledged write has its session_mutated event');
    } finally {
      await client.end();
    }
  });

  test('an event the store refuses: the answer keeps the applied write, says its event is missing, and the drop is counted', async () => {
    const db = await withTestDatabase();
    dbs.push(db);
    const srv = await startTestServer({ config: { store: { kind: 'postgres', url: db.url } } });
    try {
      const first = await finding(srv, 'refused', 'before');
      assert.equal(first.status, 200);
      // a search reads after every queued event is written: the first call's records are in
      assert.equal((await srv.request('/v1/events/search?q=finding', { as: 'alice' })).status, 200);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      await client.query(
        `ALTER TABLE events ADD CONSTRAINT no_session_events CHECK (kind <> 'session_mutated') NOT VALID`,
      );
      await client.end();
      const second = await finding(srv, 'refused', 'after');
      assert.equal(second.status, 200, 'the write was applied: not an error');
      assert.equal(second.revision, (first.revision ?? 0) + 1);
      assert.match(
        second.texts.join('\n'),
        /the write above was applied, but its session_mutated event could not be recorded \(.*no_session_events.*\); subscribers of channel "refused" will not see it\. Do not repeat the write\./,
      );
      assert.doesNotMatch(
        first.texts.join('\n'),
        /could not be recorded/,
        'no note when the event is stored',
      );
      assert.deepEqual(await droppedRecords(srv), { event: 1 });
    } finally {
      await srv.close();
    }
  });
});

test('on SQLite the answer waits for its event too: an event insert that fails is named in the answer', async () => {
  const srv = await startTestServer();
  try {
    const first = await finding(srv, 'main', 'before');
    assert.equal(first.status, 200);
    assert.doesNotMatch(first.texts.join('\n'), /could not be recorded/);
    // a search reads after every queued event is written: the first call's records are in
    assert.equal((await srv.request('/v1/events/search?q=finding', { as: 'alice' })).status, 200);
    const db = new Database(join(srv.dir, 'data', 'leanctx.db'));
    db.exec(`CREATE TRIGGER session_events_fail BEFORE INSERT ON events WHEN NEW.kind = 'session_mutated'
             BEGIN SELECT RAISE(ABORT, 'event insert refused'); END;`);
    db.close();
    const second = await finding(srv, 'main', 'after');
    assert.equal(second.status, 200);
    assert.equal(second.revision, (first.revision ?? 0) + 1);
    assert.match(
      second.texts.join('\n'),
      /session_mutated event could not be recorded \(event insert refused\)/,
    );
    assert.deepEqual(await droppedRecords(srv), { event: 1 });
  } finally {
    await srv.close();
  }
});
