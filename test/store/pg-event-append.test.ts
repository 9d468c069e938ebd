import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { parseFanOutMessage } from '../../src/events/fan-out-message.ts';
import { createPgEventStore } from '../../src/store/postgres/event-store.ts';
import { runMigrations } from '../../src/store/postgres/migrate.ts';
import { MIGRATIONS } from '../../src/store/postgres/migrations/index.ts';
import { createPgDatabase, type PgDatabase } from '../../src/store/postgres/pool.ts';
import type { EventRecord } from '../../src/store/types.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';

const CHANNEL = 'leanctx_events_test';
let db: TestDatabase;
const pools: PgDatabase[] = [];
let listener: pg.Client;
const heard: string[] = [];

before(async () => {
  db = await withTestDatabase();
  const first = createPgDatabase({ url: db.url });
  pools.push(first, createPgDatabase({ url: db.url }));
  await runMigrations(first, MIGRATIONS);
  listener = new pg.Client({ connectionString: db.url });
  await listener.connect();
  listener.on('notification', (n) => {
    if (n.payload !== undefined) heard.push(n.payload);
  });
  await listener.query(`LISTEN ${CHANNEL}`);
});

after(async () => {
  await listener.end();
  for (const p of pools) await p.close();
  await db.drop();
});

/** The messages heard since `from`, once they hold `count` events (or resyncs), or after a long wait. */
async function heardSince(from: number, count: number): Promise<string[]> {
  const total = () =>
    heard.slice(from).reduce((n, m) => {
      const got = parseFanOutMessage(m, 'nobody');
      return n + (got === 'resync' ? 1 : got.length);
    }, 0);
  // each round trip lets the listener's connection hand over what it was sent
  for (let round = 0; round < 1000 && total() < count; round++) {
    await listener.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 5));
  }
  return heard.slice(from);
}

const event = (ch: string, n: number, text = '') => ({
  workspaceId: 'ws',
  channelId: ch,
  kind: 'note',
  actor: `agent-${n % 3}`,
  payload: { n, text },
});

test('two stores on two pools appending to one channel get contiguous, unique revisions, and each NOTIFY carries its own', async () => {
  const [a, b] = [
    createPgEventStore(pools[0] as PgDatabase, { channel: CHANNEL, originId: 'replica-a' }),
    createPgEventStore(pools[1] as PgDatabase, { channel: CHANNEL, originId: 'replica-b' }),
  ];
  const from = heard.length;
  // several batches per store, racing for the same head row
  const appended = await Promise.all(
    Array.from({ length: 120 }, (_, n) =>
      (n % 2 === 0 ? a : b).append(event(n % 4 === 0 ? 'other' : 'shared', n)),
    ),
  );
  for (const ch of ['shared', 'other']) {
    const revisions = appended
      .filter((e) => e.channelId === ch)
      .map((e) => e.revision)
      .sort((x, y) => x - y);
    assert.deepEqual(
      revisions,
      revisions.map((_, i) => i + 1),
      `${ch}: 1..n, none twice, none skipped`,
    );
    assert.equal(await a.latestRevision('ws', ch), revisions.length);
  }
  const stored = await a.since('ws', 'shared', 0, 1000);
  assert.deepEqual(
    stored.map((e) => e.payload.n),
    appended
      .filter((e) => e.channelId === 'shared')
      .sort((x, y) => x.revision - y.revision)
      .map((e) => e.payload.n),
    'the stored event at each revision is the one its append returned',
  );

  const messages = await heardSince(from, appended.length);
  const key = (e: EventRecord) => `${e.channelId}#${e.revision}`;
  const appendedBy = new Map(
    appended.map((e, n) => [key(e), { e, origin: n % 2 === 0 ? 'replica-a' : 'replica-b' }]),
  );
  const announced = messages.flatMap((m) => {
    const origin = (JSON.parse(m) as { r: string }).r;
    const got = parseFanOutMessage(m, 'nobody');
    assert.notEqual(got, 'resync');
    return (got as EventRecord[]).map((e) => ({ e, origin }));
  });
  assert.equal(announced.length, appended.length, 'every event announced once');
  for (const { e, origin } of announced) {
    const sent = appendedBy.get(key(e));
    assert.ok(sent, `${key(e)} was appended`);
    assert.equal(origin, sent.origin, `${key(e)} announced by the store that appended it`);
    assert.deepEqual(e, sent.e, `${key(e)} announced as appended, with its revision`);
  }
  for (const ch of ['shared', 'other']) {
    const inOrder = announced.filter(({ e }) => e.channelId === ch).map(({ e }) => e.revision);
    assert.deepEqual(
      inOrder,
      inOrder.map((_, i) => i + 1),
      `${ch}: notifications arrive in revision order across both stores`,
    );
  }
});

test('a batch over the NOTIFY limit travels in several payloads under 8000 bytes, and one too large becomes a resync', async () => {
  const store = createPgEventStore(pools[0] as PgDatabase, { channel: CHANNEL, originId: 'writer' });
  const from = heard.length;
  // the first append goes alone; the rest queue behind it and go as one batch
  const appended = await Promise.all([
    ...Array.from({ length: 40 }, (_, n) => store.append(event('big', n, 'x'.repeat(900)))),
    store.append(event('big', 40, 'é'.repeat(4000))),
    store.append(event('big', 41)),
  ]);
  const messages = await heardSince(from, appended.length);
  assert.ok(messages.length > 3, 'the batch is cut into several notifications');
  for (const m of messages)
    assert.ok(Buffer.byteLength(m) < 8000, `a payload of ${Buffer.byteLength(m)} bytes`);
  const parsed = messages.map((m) => parseFanOutMessage(m, 'reader'));
  const at = parsed.indexOf('resync');
  assert.ok(at > 0, 'the event too large for a notification makes receivers read the store');
  assert.deepEqual(
    parsed.flatMap((p) => (p === 'resync' ? [] : p)),
    appended.filter((e) => e.payload.n !== 40),
    'every other event parses back whole, with its revision, in order',
  );
  assert.deepEqual(parsed[at + 1], [appended[41]], 'the event after the large one still travels');
});
