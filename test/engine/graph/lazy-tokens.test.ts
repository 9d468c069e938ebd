import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createCodeGraph } from '../../../src/engine/graph/code-graph.ts';
import { countBounded } from '../../../src/engine/tokens.ts';
import { createSqliteGraphStore } from '../../../src/store/sqlite/graph-store.ts';

test('token counts are left out of the build, counted exactly on first need or in the background after it, and kept only for the indexed content', async () => {
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
    const exact = (p: string) => countBounded(readFileSync(join(root, p), 'utf8'));
    // the build stored none; the background count after it may have begun: each is null or exact
    for (const p of paths) assert.ok([null, exact(p)].includes(graph.store.file(p)!.tokens), p);

    const [a, b, c] = paths;
    // the same path twice counts once; a path not in the graph counts 0
    assert.equal(await graph.tokensOf([a!, b!, a!, 'nope.ts']), exact(a!) + exact(b!));
    assert.equal(graph.store.file(a!)?.tokens, exact(a!));
    assert.equal(graph.store.file(b!)?.tokens, exact(b!));
    assert.equal(
      await graph.tokensOf(paths),
      paths.map(exact).reduce((x, y) => x + y, 0),
    );
    for (const p of paths) assert.equal(graph.store.file(p)?.tokens, exact(p), p);

    // re-indexed after a change: the old count is dropped and the new content counted
    const before = exact(c!);
    writeFileSync(
      join(root, c!),
      `${readFileSync(join(root, c!), 'utf8')}\nexport const added = 'one more line';\n`,
    );
    await graph.refresh(60_000);
    assert.ok([null, exact(c!)].includes(graph.store.file(c!)!.tokens));
    assert.equal(await graph.tokensOf([c!]), exact(c!));
    assert.ok(exact(c!) > before);

    // changed on disk since the index: counted as it is now, never stored against the old hash
    writeFileSync(join(root, a!), `${readFileSync(join(root, a!), 'utf8')}\nexport const late = 2;\n`);
    const stale = graph.store.file(a!)!;
    graph.store.setTokens([{ path: a!, hash: 'not-the-indexed-hash', tokens: 1 }]);
    assert.equal(graph.store.file(a!)?.tokens, stale.tokens);
  } finally {
    graph.close();
  }
});
