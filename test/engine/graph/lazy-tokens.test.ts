import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCodeGraph } from '../../../src/engine/graph/code-graph.ts';
import { countBounded } from '../../../src/engine/tokens.ts';
import { createSqliteGraphStore } from '../../../src/store/sqlite/graph-store.ts';

test('a build leaves token counts for later; tokensOf counts them exactly on first need and keeps only counts of the indexed content', async () => {
  const root = mkdtempSync(join(tmpdir(), 'leanctx-graph-'));
  cpSync('node_modules/zod/src/v3', join(root, 'src'), { recursive: true });
  const graph = createCodeGraph(root, {
    store: createSqliteGraphStore(join(mkdtempSync(join(tmpdir(), 'leanctx-data-')), 'graph.sqlite')),
  });
  try {
    const progress = await graph.rebuild(true, 120_000);
    assert.equal(progress.building, false);
    const paths = [...graph.store.stats().keys()].sort();
    assert.ok(paths.length > 10, `${paths.length} files`);
    for (const p of paths) assert.equal(graph.store.file(p)?.tokens, null, `${p} counted by the build`);

    const [a, b, c] = paths;
    const exact = (p: string) => countBounded(readFileSync(join(root, p), 'utf8'));
    // the same path twice counts once; a path not in the graph counts 0
    assert.equal(await graph.tokensOf([a!, b!, a!, 'nope.ts']), exact(a!) + exact(b!));
    assert.equal(graph.store.file(a!)?.tokens, exact(a!));
    assert.equal(graph.store.file(b!)?.tokens, exact(b!));
    // remembered: the second answer is the same figure from the store
    assert.equal(await graph.tokensOf([a!, b!]), exact(a!) + exact(b!));

    // changed on disk since the index: counted as it is now, not remembered against the old hash
    writeFileSync(
      join(root, c!),
      `${readFileSync(join(root, c!), 'utf8')}\nexport const added = 'one more line';\n`,
    );
    assert.equal(await graph.tokensOf([c!]), exact(c!));
    assert.equal(graph.store.file(c!)?.tokens, null);
  } finally {
    graph.close();
  }
});
