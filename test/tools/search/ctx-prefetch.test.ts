import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { callToolText, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

const FILES = {
  'src/pricing/price.ts': 'export function price(sku: string): number {\n  return sku.length * 100;\n}\n',
  'src/cart/cart.ts':
    "import { price } from '../pricing/price';\nexport class Cart {\n  addItem(sku: string) {\n    return price(sku);\n  }\n}\n",
  'src/pricing/discount.ts':
    'export function applyDiscount(total: number, percent: number) {\n  return total * (1 - percent / 100);\n}\n',
  '.env': 'TOKEN=secret\n',
};

describe('ctx_prefetch says what it did, and the next reads agree', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({ files: FILES });
  });
  after(() => srv.close());

  const call = (name: string, args: Record<string, unknown>, contextId: string) =>
    callToolText(srv, 'alice', name, args, contextId);

  test('the files it lists, and their sizes, are what a read then sends; nothing reached the context', async () => {
    const text = await call('ctx_prefetch', { changed_files: ['src/pricing/price.ts', '.env'] }, 'p1');
    const listed = new Map(
      [...text.matchAll(/^ {2}(\S+) \((\d+) tok\)$/gm)].map((m) => [m[1] as string, Number(m[2])]),
    );
    assert.deepEqual([...listed.keys()], ['src/pricing/price.ts', 'src/cart/cart.ts'], text);
    assert.match(text, /nothing was sent to your context/);
    assert.match(text, /\nnot readable \(missing, binary, secret or over 1 MB\): \.env$/m);
    for (const [path, tokens] of listed) {
      // a read in another context reports the file's size: the same figure
      const ref = await call('ctx_read', { path, mode: 'reference' }, 'p2');
      assert.match(ref, new RegExp(`: \\d+ lines, ${tokens} tok \\(ts\\)$`), ref);
      // the prefetching context was sent nothing, so its first read is the whole file, not a stub
      const full = await call('ctx_read', { path, mode: 'full' }, 'p1');
      assert.ok(full.endsWith(FILES[path as keyof typeof FILES]), full);
      assert.doesNotMatch(full, /unchanged/);
    }
  });

  test('it names the BM25 index only when a task made it update the index, with the numbers', async () => {
    const changedOnly = await call('ctx_prefetch', { changed_files: ['src/cart/cart.ts'] }, 'p3');
    assert.doesNotMatch(changedOnly, /BM25|index/i);
    const withTask = await call('ctx_prefetch', { task: 'apply a discount' }, 'p3');
    assert.match(withTask, /\n {2}src\/pricing\/discount\.ts \(\d+ tok\)/);
    assert.match(withTask, /\nBM25 index for the task: 3 files indexed \(\d+ parsed now\)$/);
  });
});
