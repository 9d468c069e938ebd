import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ArchiveMeta } from '../../src/store/archives.ts';
import { createPgArchiveStore } from '../../src/store/postgres/archive-store.ts';
import { runMigrations } from '../../src/store/postgres/migrate.ts';
import { MIGRATIONS } from '../../src/store/postgres/migrations/index.ts';
import { createPgDatabase, type PgDatabase } from '../../src/store/postgres/pool.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';

const meta = (id: string, createdAt: string, tokens?: number): ArchiveMeta => ({
  id,
  tool: 'ctx_tree',
  label: '.',
  chars: 5,
  lines: 1,
  ...(tokens === undefined ? {} : { tokens }),
  createdAt,
});

describe('ctx_expand archives in PostgreSQL (migration 4)', () => {
  let db: TestDatabase;
  let pg: PgDatabase;
  before(async () => {
    db = await withTestDatabase();
    pg = createPgDatabase({ url: db.url });
    await runMigrations(pg, MIGRATIONS);
  });
  after(async () => {
    await pg?.close();
    await db?.drop();
  });

  test('an archive is read back in its own workspace only; a second put keeps the first text and adds a token count', async () => {
    const store = createPgArchiveStore(pg);
    const id = 'aaaaaaaaaaaaaaaa';
    await store.put('w1', { meta: meta(id, '2026-01-01T00:00:00.000Z'), text: 'hello' });
    await store.put('w1', { meta: meta(id, '2026-01-02T00:00:00.000Z', 2), text: 'other' });
    await store.put('w1', { meta: meta(id, '2026-01-03T00:00:00.000Z'), text: 'third' });
    const got = await store.get('w1', id);
    assert.equal(got?.text, 'hello');
    assert.equal(got?.meta.tokens, 2, 'the copy with a token count replaced the one without');
    assert.equal(await store.get('w2', id), undefined, 'another workspace cannot read it');
    assert.equal(await store.get('w1', 'bbbbbbbbbbbbbbbb'), undefined);
  });

  test('list is newest first and limited; prune removes what any workspace holds older than the cutoff and counts it', async () => {
    const store = createPgArchiveStore(pg);
    for (let d = 1; d <= 5; d++) {
      await store.put('w3', { meta: meta(`${d}`.repeat(16), `2026-02-0${d}T00:00:00.000Z`), text: `t${d}` });
    }
    assert.deepEqual(
      (await store.list('w3', 3)).map((m) => m.createdAt.slice(0, 10)),
      ['2026-02-05', '2026-02-04', '2026-02-03'],
    );
    // every workspace: w3's two oldest and w1's archive of January
    assert.equal(await store.prune('2026-02-03T00:00:00.000Z'), 3);
    assert.equal(await store.get('w1', 'aaaaaaaaaaaaaaaa'), undefined);
    assert.deepEqual(
      (await store.list('w3', 10)).map((m) => m.id[0]),
      ['5', '4', '3'],
    );
    assert.equal(await store.prune('2026-02-03T00:00:00.000Z'), 0);
  });
});
