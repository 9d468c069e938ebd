import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EVIDENCE_KEPT_PER_CONTEXT } from '../../src/store/evidence.ts';
import { KEY_LOCK, WORKSPACE_LOCK } from '../../src/store/postgres/knowledge-store.ts';
import { runMigrations } from '../../src/store/postgres/migrate.ts';
import { MIGRATIONS } from '../../src/store/postgres/migrations/index.ts';
import { createPgDatabase } from '../../src/store/postgres/pool.ts';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { openPrivateDatabase } from '../../src/store/sqlite/open-database.ts';
import { createSqliteSharedSessionStores } from '../../src/store/sqlite/shared-session-stores.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';

const WRITER = fileURLToPath(new URL('../fixtures/pg-writer.ts', import.meta.url));

function runWriter(url: string, name: string, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, url, name, String(count)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out) as number[]) : reject(new Error(`${name} exited ${code}: ${err}`)),
    );
  });
}

describe('PostgreSQL shared by several processes', () => {
  let db: TestDatabase;
  before(async () => {
    db = await withTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  test('ten processes migrating a fresh database at once apply each version exactly once', async () => {
    const fresh = await withTestDatabase();
    const pools = Array.from({ length: 10 }, () => createPgDatabase({ url: fresh.url }));
    // a migration that counts its runs: without the lock, late starters would run it again or fail
    const counting = [
      ...MIGRATIONS,
      { version: 900, name: 'count runs', sql: 'CREATE TABLE runs (n int); INSERT INTO runs VALUES (1);' },
    ];
    try {
      const applied = await Promise.all(pools.map((p) => runMigrations(p, counting)));
      const all = applied.flat().sort((a, b) => a - b);
      assert.deepEqual(
        all,
        counting.map((m) => m.version),
        'each version applied by exactly one process',
      );
      const [first] = pools as [ReturnType<typeof createPgDatabase>];
      assert.deepEqual(
        (
          await first.query<{ version: number }>('SELECT version FROM leanctx_migrations ORDER BY version')
        ).map((r) => r.version),
        counting.map((m) => m.version),
      );
      assert.deepEqual(await first.query('SELECT n FROM runs'), [{ n: 1 }]);
      assert.deepEqual(await runMigrations(first, counting), [], 'a restart applies nothing');
      await assert.rejects(
        runMigrations(first, MIGRATIONS),
        /schema version 900, newer than this leanctx knows/,
      );
    } finally {
      await Promise.all(pools.map((p) => p.close()));
      await fresh.drop();
    }
  });

  test('four writer processes on one channel, key and budget: revisions 1..N once each, one history, every charge', async () => {
    const perWriter = 40;
    const names = ['w1', 'w2', 'w3', 'w4'];
    const migrator = createPgDatabase({ url: db.url });
    await runMigrations(migrator, MIGRATIONS).finally(() => migrator.close());
    const got = await Promise.all(names.map((n) => runWriter(db.url, n, perWriter)));
    for (const revs of got) {
      assert.deepEqual(
        revs,
        [...revs].sort((a, b) => a - b),
        "one process's appends get rising revisions in call order",
      );
    }
    assert.deepEqual(
      got.flat().sort((a, b) => a - b),
      Array.from({ length: names.length * perWriter }, (_, i) => i + 1),
      'no revision collides or is skipped',
    );
    const sessions = openPrivateDatabase(':memory:');
    const store = await createPostgresStore({
      url: db.url,
      sharedSessions: () => createSqliteSharedSessionStores(sessions),
    });
    try {
      assert.equal(await store.events.latestRevision('main', 'race'), names.length * perWriter);
      const versions = await store.knowledge.history('main', { category: 'race', key: 'winner' }, 1000);
      assert.equal(versions.length, names.length * perWriter);
      assert.equal(versions.filter((f) => f.supersededBy === null).length, 1);
      const byId = new Map(versions.map((f) => [f.id, f]));
      let chain = 0;
      for (
        let f = versions.find((v) => v.supersededBy === null);
        f;
        f = f.supersedes === null ? undefined : byId.get(f.supersedes)
      ) {
        chain++;
      }
      assert.equal(chain, versions.length, 'no version is left out of the chain');
      const totals = await store.budgets.totals('shared', '2000-01-01');
      assert.deepEqual(
        { calls: totals.calls, tokens: totals.tokens },
        { calls: names.length * perWriter, tokens: 7 * names.length * perWriter },
      );
    } finally {
      await store.close();
      sessions.close();
    }
  });

  test('a knowledge write waits for its own key and for a workspace-wide write, never for another key', async () => {
    const sessions = openPrivateDatabase(':memory:');
    const store = await createPostgresStore({
      url: db.url,
      sharedSessions: () => createSqliteSharedSessionStores(sessions),
    });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    const fact = (key: string) => ({
      workspaceId: 'locks',
      kind: 'fact' as const,
      category: 'c',
      key,
      value: `value of ${key}`,
      examples: [],
      confidence: 0.9,
      source: 'test',
      now: new Date().toISOString(),
    });
    // resolves once some backend waits on an advisory lock (what a queued writer does)
    const someoneWaits = async (what: string) => {
      for (let poll = 0; ; poll++) {
        if (poll === 1500) assert.fail(`${what} never queued on the held advisory lock`);
        const { rows } = await holder.query(
          "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND pid <> pg_backend_pid()",
        );
        if (rows.length > 0) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      // a writer of key a holds its lock: key b goes through, key a queues until it commits
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${KEY_LOCK})`, ['locks', 'c', 'a']);
      assert.equal((await store.knowledge.remember(fact('b'))).outcome, 'created');
      const queued = store.knowledge.remember(fact('a'));
      await someoneWaits("key a's writer (behind key a's lock)");
      assert.equal(await store.knowledge.current('locks', { category: 'c', key: 'a' }), undefined);
      await holder.query('COMMIT');
      assert.equal((await queued).outcome, 'created');

      // an import holds the workspace: every key's writer queues behind it
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${WORKSPACE_LOCK})`, ['locks']);
      const behindImport = store.knowledge.remember(fact('d'));
      await someoneWaits("key d's writer (behind the workspace's lock)");
      await holder.query('COMMIT');
      assert.equal((await behindImport).outcome, 'created');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
      await store.close();
      sessions.close();
    }
  });

  test('two replicas recording usage and evidence at once lose no count and keep the evidence cap', async () => {
    const sessions = openPrivateDatabase(':memory:');
    const open = () =>
      createPostgresStore({ url: db.url, sharedSessions: () => createSqliteSharedSessionStores(sessions) });
    const replicas = [await open(), await open()];
    const perReplica = 600;
    try {
      // every call shares its roll-up keys with the other replica's: the upserts race on the same rows
      await Promise.all(
        replicas.flatMap((r, n) =>
          Array.from({ length: perReplica }, (_, i) =>
            r.usage.record({
              ts: `2026-05-0${1 + (i % 3)}T10:00:00.000Z`,
              workspaceId: 'race',
              agentId: `agent${i % 2}`,
              contextId: undefined,
              tool: i % 4 === 0 ? 'ctx_search' : 'ctx_read',
              tokensSent: 10,
              tokensSaved: 0,
              tokensRaw: 30,
              durationMs: 1,
              isError: false,
              path: `src/dir${i % 5}/f${n}.ts`,
            }),
          ),
        ),
      );
      const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
      const totals = await b.usage.totals({ workspaceIds: ['race'] });
      const calls = 2 * perReplica;
      assert.equal(
        totals.byAgent.reduce((n, x) => n + x.calls, 0),
        calls,
      );
      assert.equal(
        totals.byTool.reduce((n, x) => n + x.calls, 0),
        calls,
      );
      assert.deepEqual(
        totals.byDay.map((d) => [d.day, d.calls, d.tokensSaved]),
        [
          ['2026-05-01', calls / 3, (20 * calls) / 3],
          ['2026-05-02', calls / 3, (20 * calls) / 3],
          ['2026-05-03', calls / 3, (20 * calls) / 3],
        ],
      );
      const dirs = await a.usage.pathReads({ workspaceIds: ['race'], dirs: true, limit: 100 });
      assert.equal(dirs.find((d) => d.path === 'src')?.reads, calls);
      assert.deepEqual(
        dirs.filter((d) => d.path !== 'src').map((d) => d.reads),
        Array(5).fill(calls / 5),
      );

      const per = EVIDENCE_KEPT_PER_CONTEXT;
      await Promise.all(
        replicas.flatMap((r, n) =>
          Array.from({ length: per }, (_, i) =>
            r.evidence.recordRead({
              workspaceId: 'race',
              contextId: 'c',
              agentId: 'a',
              path: `f${n}-${i}.ts`,
              sha256: 'ab'.repeat(32),
              bytes: 1,
              tool: 'ctx_read',
            }),
          ),
        ),
      );
      assert.equal((await a.evidence.reads('race', 'c', 'a', 1)).total, EVIDENCE_KEPT_PER_CONTEXT);
    } finally {
      await Promise.all(replicas.map((r) => r.close()));
      sessions.close();
    }
  });

  test('a database of schema version 2 gains the roll-ups of the usage rows it already held', async () => {
    const old = await withTestDatabase();
    const pool = createPgDatabase({ url: old.url });
    try {
      assert.deepEqual(await runMigrations(pool, MIGRATIONS.slice(0, 2)), [1, 2]);
      await pool.query(
        `INSERT INTO usage (ts, workspace_id, agent_id, context_id, tool, tokens_sent, tokens_saved, duration_ms, is_error)
         VALUES ('2026-01-01T00:00:00.000Z', 'w', 'alice', NULL, 'ctx_read', 100, 30, 1, false),
                ('2026-01-02T00:00:00.000Z', 'w', 'alice', NULL, 'ctx_read', 50, 20, 1, true),
                ('2026-01-02T00:00:00.000Z', 'w', 'bob', NULL, 'ctx_search', 10, 0, 1, false)`,
      );
    } finally {
      await pool.close();
    }
    const sessions = openPrivateDatabase(':memory:');
    const store = await createPostgresStore({
      url: old.url,
      sharedSessions: () => createSqliteSharedSessionStores(sessions),
    });
    try {
      const totals = await store.usage.totals({ workspaceIds: ['w'] });
      assert.deepEqual(
        totals.byAgent.map((a) => [a.agentId, a.calls, a.errors, a.tokensSent, a.tokensRaw, a.lastTs]),
        [
          ['alice', 2, 1, 150, 0, '2026-01-02T00:00:00.000Z'],
          ['bob', 1, 0, 10, 0, '2026-01-02T00:00:00.000Z'],
        ],
      );
      assert.deepEqual(
        totals.byDay.map((d) => [d.day, d.calls]),
        [
          ['2026-01-01', 1],
          ['2026-01-02', 2],
        ],
      );
      const rollup = await store.usage.rollup({ workspaceIds: ['w'], sinceDay: '2026-01-02' });
      assert.deepEqual(
        rollup.byAgentTool.map((r) => [r.agentId, r.tool, r.calls, r.tokensSaved]),
        [
          ['alice', 'ctx_read', 2, 50],
          ['bob', 'ctx_search', 1, 0],
        ],
      );
      assert.deepEqual(
        await store.usage.pathReads({ workspaceIds: ['w'], limit: 10 }),
        [],
        'no path was recorded',
      );
    } finally {
      await store.close();
      sessions.close();
      await old.drop();
    }
  });
});
