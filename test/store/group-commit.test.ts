import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createGroupCommit, QueueFullError } from '../../src/store/postgres/group-commit.ts';
import { createPgDatabase, failedBeforeStart, safeToRetry } from '../../src/store/postgres/pool.ts';
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
  // 100, 250, 500, 1000 and 2000 ms, then every 2 s while the waits add up to at most 30 s: 18 retries
  assert.equal(attempts, 1 + 18);
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

test('on real PostgreSQL: a statement refused for a lock wait is safe to run again, a wrong statement is not', async () => {
  const db = await withTestDatabase();
  const pg = createPgDatabase({ url: db.url, maxConnections: 2 });
  try {
    await pg.query('CREATE TABLE t (n int PRIMARY KEY)');
    await pg.query('INSERT INTO t VALUES (1)');
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = pg.transaction(async (client) => {
      await client.query('SELECT n FROM t WHERE n = 1 FOR UPDATE');
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    const waited = await pg
      .transaction(async (client) => {
        await client.query("SET LOCAL lock_timeout = '50ms'");
        await client.query('UPDATE t SET n = 2 WHERE n = 1');
      })
      .catch((err: unknown) => err);
    release();
    await holder;
    assert.equal((waited as { code?: string }).code, '55P03', String(waited));
    assert.equal(safeToRetry(waited), true, 'rolled back before COMMIT: nothing was written');
    const wrong = await pg
      .transaction(async (client) => {
        await client.query('INSERT INTO t VALUES (1)');
      })
      .catch((err: unknown) => err);
    assert.equal(safeToRetry(wrong), false, 'a duplicate key fails again: not retried');
  } finally {
    await pg.close();
    await db.drop();
  }
});

test('a full queue refuses a row at once and names its bound; the rows it holds are still written', async () => {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const written: number[] = [];
  const commit = createGroupCommit<number>(
    async (rows) => {
      await gate;
      written.push(...rows);
    },
    { maxQueued: 3, sleep: noSleep },
  );
  const first = commit.add(0); // taken by the running write
  const queued = [commit.add(1), commit.add(2), commit.add(3)];
  await assert.rejects(
    commit.add(4),
    (err: unknown) => err instanceof QueueFullError && /3 rows already wait/.test(String(err)),
  );
  open();
  await Promise.all([first, ...queued]);
  assert.deepEqual(written, [0, 1, 2, 3]);
});

test('lazy rows start no write of their own: they go together after the linger', async () => {
  const written: number[][] = [];
  const commit = createGroupCommit<number>(async (rows) => {
    written.push([...rows]);
  });
  await Promise.all([1, 2, 3].map((n) => commit.add(n, { lazy: true })));
  assert.deepEqual(written, [[1, 2, 3]]);
});

test('an urgent row takes the lingering rows along at once, in the order they were added', async () => {
  const written: number[][] = [];
  const commit = createGroupCommit<number>(async (rows) => {
    written.push([...rows]);
  });
  const lazy = [commit.add(1, { lazy: true }), commit.add(2, { lazy: true })];
  const urgent = commit.add(3);
  // the urgent row's write started synchronously, before any timer could fire
  assert.deepEqual(written, [[1, 2, 3]]);
  await Promise.all([...lazy, urgent]);
});

test('settled() writes lingering rows now, so a read sees every row added before it', async () => {
  const written: number[][] = [];
  const commit = createGroupCommit<number>(async (rows) => {
    written.push([...rows]);
  });
  const row = commit.add(7, { lazy: true });
  assert.deepEqual(written, [], 'a lazy row alone waits');
  await commit.settled();
  assert.deepEqual(written, [[7]]);
  await row;
});

test('a lazy row that fails is still reported to its caller', async () => {
  const commit = createGroupCommit<number>(
    async () => {
      throw new Error('constraint violated');
    },
    { retryable: () => false, sleep: noSleep },
  );
  await assert.rejects(commit.add(1, { lazy: true }), /constraint violated/);
});
