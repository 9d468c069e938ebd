import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { closeEnginePool } from '../../src/engine/workers/engine-pool.ts';
import { type Fact, firstVersion, knowledgeTerms } from '../../src/store/knowledge.ts';
import { searchFactRows } from '../../src/store/sqlite/knowledge-rows.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

after(() => closeEnginePool());

const WORDS = [
  'deploy',
  'cache',
  'token',
  'schema',
  'replica',
  'index',
  'queue',
  'backup',
  'region',
  'budget',
];

test('a workspace too large to rank on the event loop is ranked on a worker, with the same answer', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'knowledge-large-')), 'leanctx.db');
  const store = createSqliteStore(file);
  const now = new Date().toISOString();
  const facts: Fact[] = Array.from({ length: 6000 }, (_, i) => ({
    id: i + 1,
    ...firstVersion(
      {
        workspaceId: 'main',
        kind: 'fact',
        category: `area-${i % 37}`,
        key: `note-${i}`,
        value: `${WORDS[i % 10]} ${WORDS[(i * 7) % 10]} note ${i} about the ${WORDS[(i * 3) % 10]} of service ${i % 113}`,
        examples: [],
        confidence: 0.8,
        source: 'test',
      },
      now,
    ),
    supersedes: null,
    supersededBy: null,
  }));
  await store.knowledge.load('main', { facts, relations: [] }, 'test', now);
  const inline = new Database(file, { readonly: true });
  try {
    for (const query of ['deploy backup', 'replica region service 42', 'budget']) {
      const terms = knowledgeTerms(query);
      const q = { limit: 50 };
      const viaStore = await store.knowledge.search('main', terms, q);
      const onThisThread = searchFactRows(inline, { workspaceId: 'main', terms, query: q });
      assert.equal(viaStore.length, 50, query);
      assert.deepEqual(
        viaStore.map((r) => [r.fact.id, r.bm25]),
        onThisThread.map((r) => [r.id, r.score]),
        query,
      );
    }
  } finally {
    inline.close();
    await store.close();
  }
});
