import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createBm25Index } from '../../src/engine/bm25/bm25-index.ts';
import { chunkFile } from '../../src/engine/bm25/chunk-file.ts';
import { tokenize } from '../../src/engine/bm25/tokenize.ts';
import { outlineFile } from '../../src/engine/languages/index.ts';
import { smallCorpus } from '../helpers/corpus.ts';
import { makeGitRepo } from '../helpers/git-repo.ts';

test('tokenize splits identifiers at case and underscores and keeps the whole one', () => {
  assert.deepEqual(tokenize('parseURLQuery(max_retry_count)'), [
    'parseurlquery',
    'parse',
    'url',
    'query',
    'max_retry_count',
    'max',
    'retry',
    'count',
  ]);
  assert.deepEqual(tokenize('return the value'), ['value']);
});

test('chunkFile gives one chunk per definition, members out of their class, plus module code', async () => {
  const text = [
    "import { x } from './x';",
    'export class Cart {',
    '  total = 0;',
    '  addItem(price: number) {',
    '    this.total += price;',
    '  }',
    '}',
    'export function checkout(cart: Cart) {',
    '  return cart.total;',
    '}',
    'console.log(checkout(new Cart()));',
  ].join('\n');
  const chunks = chunkFile('src/shop.ts', text, await outlineFile('src/shop.ts', text));
  const byName = new Map(chunks.map((c) => [c.symbol, c]));
  assert.ok(
    byName.has('Cart') && byName.has('Cart.addItem') && byName.has('checkout') && byName.has('(module)'),
  );
  assert.equal(byName.get('Cart')!.terms.has('price'), false, 'method body is not in the class chunk');
  assert.equal(byName.get('Cart.addItem')!.startLine, 4);
  assert.ok(byName.get('(module)')!.terms.has('console'));
});

test('BM25 ranks the definition that is about the query first, on real code', async () => {
  const index = createBm25Index(smallCorpus());
  try {
    const report = await index.update('deb/python3-rich', 60_000);
    assert.equal(report.pending, 0);
    assert.ok(report.indexed > 50);
    const [top] = await index.search('render progress bar', { prefix: 'deb/python3-rich', topK: 5 });
    assert.match(top!.chunk.path, /progress/);
    assert.match(top!.chunk.symbol, /render/i);
    const scores = (await index.search('syntax highlight theme', { prefix: '', topK: 10 })).map(
      (r) => r.score,
    );
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
    );
  } finally {
    index.close();
  }
});

test('an edited file is re-chunked on the next update; clear forces a full re-parse', async () => {
  const root = makeGitRepo({ 'a.py': 'def alpha():\n    return 1\n' });
  const index = createBm25Index(root);
  try {
    await index.update('', 10_000);
    assert.equal((await index.search('gamma', { prefix: '', topK: 5 })).length, 0);
    writeFileSync(join(root, 'a.py'), 'def gamma_ray():\n    return 2\n');
    const report = await index.update('', 10_000);
    assert.equal(report.parsed, 1);
    assert.equal((await index.search('gamma', { prefix: '', topK: 5 }))[0]?.chunk.symbol, 'gamma_ray');
    assert.equal((await index.update('', 10_000)).parsed, 0);
    index.clear('');
    assert.equal((await index.update('', 10_000)).parsed, 1);
  } finally {
    index.close();
  }
});
