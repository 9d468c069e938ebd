import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeGitRepo } from '../../helpers/git-repo.ts';
import { createDirectTools, type DirectTools } from '../../helpers/tool-context.ts';

let tools: DirectTools;
before(() => {
  tools = createDirectTools(
    makeGitRepo({
      'package.json': '{"name":"shop"}\n',
      'src/cart/cart.ts':
        "import { price } from '../pricing/price';\nexport class Cart {\n  addItem(sku: string) {\n    return price(sku);\n  }\n}\n",
      'src/pricing/price.ts': 'export function price(sku: string): number {\n  return sku.length;\n}\n',
      'src/pricing/discount.ts':
        'export function applyDiscount(total: number, percent: number) {\n  return total * (1 - percent / 100);\n}\n',
      'scripts/deploy.py': 'def deploy_release(tag):\n    print(tag)\n',
    }),
  );
});
after(() => tools.close());

test('ctx_overview maps languages, directories and entry files', async () => {
  const text = await tools.text('ctx_overview', {});
  assert.match(text, /^\.: 5 files — typescript 3, json 1, python 1/);
  assert.match(text, /\ndirs: src\/pricing\/ \(2\), scripts\/ \(1\), src\/cart\/ \(1\)/);
  assert.match(text, /\nentry files: package\.json/);
});

test('ctx_overview with a task lists the relevant files and definitions first', async () => {
  const text = await tools.text('ctx_overview', { task: 'apply a discount to the total' });
  assert.match(
    text,
    /relevant to "apply a discount to the total":\n {2}src\/pricing\/discount\.ts — applyDiscount L1/,
  );
});

test('ctx_preload gives a digest: imports and the matching signatures, and its size against the files', async () => {
  const text = await tools.text('ctx_preload', { task: 'cart add item' });
  assert.match(
    text,
    /^\[task: cart add item\]\nsrc\/cart\/cart\.ts \(imports: \.\.\/pricing\/price\)\n {2}L3 addItem\(sku: string\)/,
  );
  assert.match(text, /\[digest \d+ tok for files totalling \d+ tok; ctx_read what you need\]$/);
});

test('ctx_prefetch takes changed files and their importers within the budget', async () => {
  const text = await tools.text('ctx_prefetch', { changed_files: ['src/pricing/price.ts'] });
  assert.match(text, /^Prefetched 2 files, \d+ of 3000 budget tokens/);
  assert.match(text, /\n {2}src\/pricing\/price\.ts \(\d+ tok\)\n {2}src\/cart\/cart\.ts \(\d+ tok\)/);
  const tight = await tools.text('ctx_prefetch', {
    changed_files: ['src/pricing/price.ts'],
    budget_tokens: 100,
    max_files: 1,
  });
  assert.match(tight, /^Prefetched 1 files.*\n.*\nover budget or max_files: src\/cart\/cart\.ts/);
  assert.equal((await tools.call('ctx_prefetch', {})).isError, true);
});
