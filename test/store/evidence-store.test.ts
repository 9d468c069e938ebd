import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVIDENCE_KEPT_PER_CONTEXT } from '../../src/store/evidence.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const hash = (n: number) => n.toString(16).padStart(64, '0');

test('a path read twice at one hash is one pair with two reads and both tools; another hash is another pair', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'leanctx-evidence-')), 'leanctx.db');
  const store = createSqliteStore(file);
  const base = { workspaceId: 'w', contextId: 'c', agentId: 'a', path: 'src/a.ts', bytes: 10 };
  await Promise.all([
    store.evidence.recordRead({ ...base, sha256: hash(1), tool: 'ctx_read', ts: '2026-01-01T00:00:00.000Z' }),
    store.evidence.recordRead({
      ...base,
      sha256: hash(1),
      tool: 'ctx_multi_read',
      ts: '2026-01-01T00:00:01.000Z',
    }),
    store.evidence.recordRead({ ...base, sha256: hash(1), tool: 'ctx_read', ts: '2026-01-01T00:00:02.000Z' }),
    store.evidence.recordRead({ ...base, sha256: hash(2), tool: 'ctx_read', ts: '2026-01-01T00:00:03.000Z' }),
    store.evidence.recordRead({ ...base, agentId: 'other', sha256: hash(3), tool: 'ctx_read' }),
  ]);
  await store.close();
  // a second open of the file sees what the first committed
  const again = createSqliteStore(file);
  try {
    const { reads, total } = await again.evidence.reads('w', 'c', 'a', 10);
    assert.equal(total, 2);
    assert.deepEqual(
      reads.map((r) => [r.sha256, r.reads, r.firstTs, r.lastTs, r.tools]),
      [
        [hash(2), 1, '2026-01-01T00:00:03.000Z', '2026-01-01T00:00:03.000Z', ['ctx_read']],
        [hash(1), 3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.000Z', ['ctx_read', 'ctx_multi_read']],
      ],
    );
    assert.equal(await again.evidence.forget('w', 'c', 'a'), 2);
    assert.equal((await again.evidence.reads('w', 'c', 'other', 10)).total, 1);
  } finally {
    await again.close();
  }
});

test('a context keeps at most EVIDENCE_KEPT_PER_CONTEXT pairs, dropping the least recently read', async () => {
  const store = createSqliteStore(':memory:');
  const n = EVIDENCE_KEPT_PER_CONTEXT + 25;
  const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
  await Promise.all(
    Array.from({ length: n }, (_, i) =>
      store.evidence.recordRead({
        workspaceId: 'w',
        contextId: 'c',
        agentId: 'a',
        path: `f${i}.ts`,
        sha256: hash(i),
        bytes: 1,
        tool: 'ctx_read',
        ts: at(i),
      }),
    ),
  );
  const { reads, total } = await store.evidence.reads('w', 'c', 'a', n);
  assert.equal(total, EVIDENCE_KEPT_PER_CONTEXT);
  assert.equal(reads.at(-1)?.path, 'f25.ts');
  assert.equal(reads[0]?.path, `f${n - 1}.ts`);
  await store.close();
});
