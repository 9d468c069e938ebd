import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupCommit } from '../../src/store/postgres/group-commit.ts';
import { createPgDatabase, failedBeforeStart } from '../../src/store/postgres/pool.ts';
import { withTestDatabase } from '../helpers/postgres.ts';

const noSleep = async () => undefined;

test('a batch that never reached the database is written again, and every caller settles once', async () => {
  const written: number[][] = [];
  let failures = 2;
  const busy = new Error('pool busy');
  const commit = createGroupCommit<number>(
    async (rows) => {
      if (failures-- > 0) throw busy;
      written.push([...rows]);
    },
    { retryable: (err) => err === busy, sleep: noSleep },
  );
  await Promise.all([commit.add(1), commit.add(2), commit.add(3)]);
  assert.deepEqual(written.flat(), [1, 2, 3]);
});

test('a batch that failed inside the database is not written again', async () => {
  let attempts = 0;
  const commit = createGroupCommit<number>(
    async () => {
      attempts++;
      throw new Error('unique violation');
    },
    { retryable: () => false, sleep: noSleep },
  );
  await assert.rejects(commit.add(1), /unique violation/);
  assert.equal(attempts, 1);
});

test('retries end: a pool that never frees up fails the batch after the last wait', async () => {
  let attempts = 0;
  const commit = createGroupCommit<number>(
    async () => {
      attempts++;
      throw new Error('still busy');
    },
    { retryable: () => true, sleep: noSleep },
  );
  await assert.rejects(commit.add(1), /still busy/);
  assert.equal(attempts, 6);
});

test('on real PostgreSQL: a full pool fails before start, a failing statement does not', async () => {
  const db = await withTestDatabase();
  const pg = createPgDatabase({ url: db.url, maxConnections: 1, connectTimeoutMs: 300 });
  try {
    let release!: () => void;
    const held = pg.transaction(
      (client) =>
        new Promise<void>((resolve) => {
          release = resolve;
          void client;
        }),
    );
    await new Promise((r) => setTimeout(r, 50));
    const busy = await pg.transaction(async () => undefined).catch((err: unknown) => err);
    assert.equal((busy as { code?: string }).code, 'store_unavailable');
    assert.equal(failedBeforeStart(busy), true, 'the pool had no connection: nothing was sent');
    release();
    await held;
    const bad = await pg
      .transaction(async (client) => {
        await client.query('SELECT * FROM no_such_table');
      })
      .catch((err: unknown) => err);
    assert.equal(failedBeforeStart(bad), false, 'the statement reached the database');

    // the group commit over it: a burst that finds the pool busy is still written
    await pg.query('CREATE TABLE t (n int)');
    let hold!: () => void;
    const blocker = pg.transaction(() => new Promise<void>((resolve) => (hold = resolve)));
    await new Promise((r) => setTimeout(r, 50));
    const commit = createGroupCommit<number>((rows) =>
      pg.transaction(async (client) => {
        await client.query('INSERT INTO t SELECT unnest($1::int[])', [rows]);
      }),
    );
    const pending = Promise.all([commit.add(1), commit.add(2)]);
    await new Promise((r) => setTimeout(r, 400)); // past the connect timeout: the first attempt failed
    hold();
    await blocker;
    await pending;
    const rows = await pg.query<{ n: number }>('SELECT n FROM t ORDER BY n');
    assert.deepEqual(
      rows.map((r) => r.n),
      [1, 2],
    );
  } finally {
    await pg.close();
    await db.drop();
  }
});
