import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCodeGraph } from '../../../src/engine/graph/code-graph.ts';
import { createSqliteGraphStore } from '../../../src/store/sqlite/graph-store.ts';
import { formatProgress } from '../../../src/tools/graph/graph-of.ts';

test('while a first build runs, the graph answers from what is indexed and says how far it is', async () => {
  const root = mkdtempSync(join(tmpdir(), 'leanctx-graph-'));
  cpSync('node_modules/rxjs/src', join(root, 'src'), { recursive: true });
  const graph = createCodeGraph(root, {
    store: createSqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'leanctx-data-')), 'graph.sqlite')),
  });
  try {
    const partial: string[] = [];
    let progress = await graph.refresh(0);
    while (progress.building) {
      if (progress.indexed > 0 && progress.indexed < progress.total) partial.push(formatProgress(progress));
      progress = await graph.refresh(20);
    }
    assert.ok(partial.length > 0, 'some answer came while the build was part way');
    assert.match(
      partial[0]!,
      /^\[indexed \d+ \/ \d+ files; build running, answers cover the indexed part\]$/,
    );
    assert.equal(progress.indexed, progress.total);
    assert.ok(progress.total > 200, `${progress.total} files`);
    assert.ok(graph.store.symbolsNamed('Observable').length > 0);
  } finally {
    graph.close();
  }
});

test('a file written while a build runs is in the graph the next query waits for', async () => {
  const root = mkdtempSync(join(tmpdir(), 'leanctx-graph-'));
  cpSync('node_modules/rxjs/src', join(root, 'src'), { recursive: true });
  const graph = createCodeGraph(root, {
    store: createSqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'leanctx-data-')), 'graph.sqlite')),
  });
  try {
    let progress = await graph.refresh(0);
    while (progress.indexed === 0) progress = await graph.refresh(20);
    assert.ok(progress.building, 'the first build is still running');
    writeFileSync(join(root, 'late.ts'), 'export function writtenLate() {\n  return 1;\n}\n');
    progress = await graph.refresh(120_000);
    assert.equal(progress.building, false);
    assert.deepEqual(
      graph.store.symbolsNamed('writtenLate').map((s) => s.path),
      ['late.ts'],
    );
  } finally {
    graph.close();
  }
});
