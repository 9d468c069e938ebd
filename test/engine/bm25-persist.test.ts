import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { createBm25Index } from '../../src/engine/bm25/bm25-index.ts';

const INDEX_MODULE = resolve('src/engine/bm25/bm25-index.ts');

/** A second process opens the same database, updates, and says what it had to parse. */
function secondProcess(root: string, dbPath: string, query: string) {
  const code = `
    import { createBm25Index } from ${JSON.stringify(INDEX_MODULE)};
    const index = createBm25Index(${JSON.stringify(root)}, { dbPath: ${JSON.stringify(dbPath)} });
    const report = await index.update('', 60000);
    const top = await index.search(${JSON.stringify(query)}, { prefix: '', topK: 3 });
    index.close();
    console.log(JSON.stringify({ ...report, top: top.map((r) => r.chunk.path + ' :: ' + r.chunk.symbol) }));
  `;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as { indexed: number; parsed: number; pending: number; top: string[] };
}

test('a second process answers from the persisted index and re-parses only the changed file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'bm25-persist-'));
  const data = mkdtempSync(join(tmpdir(), 'bm25-data-'));
  const dbPath = join(data, 'bm25.sqlite');
  mkdirSync(join(root, 'src'));
  for (let i = 0; i < 12; i++) {
    writeFileSync(
      join(root, `src/mod${i}.ts`),
      `export function compute${i}(x: number): number {\n  return x * ${i};\n}\n`,
    );
  }
  writeFileSync(
    join(root, 'src/invoice.ts'),
    'export function renderInvoiceTotals(lines: number[]): string {\n  return lines.join(",");\n}\n',
  );

  const first = createBm25Index(root, { dbPath });
  const built = await first.update('', 60_000);
  assert.equal(built.parsed, 13);
  first.close();

  const unchanged = secondProcess(root, dbPath, 'invoice totals');
  assert.deepEqual({ indexed: unchanged.indexed, parsed: unchanged.parsed }, { indexed: 13, parsed: 0 });
  assert.equal(unchanged.top[0], 'src/invoice.ts :: renderInvoiceTotals');

  writeFileSync(
    join(root, 'src/mod3.ts'),
    'export function shippingLabelPrinter(x: number): number {\n  return x;\n}\n',
  );
  const changed = secondProcess(root, dbPath, 'shipping label printer');
  assert.equal(changed.parsed, 1);
  assert.equal(changed.top[0], 'src/mod3.ts :: shippingLabelPrinter');
  // the change itself was stored: the next process parses nothing
  assert.equal(secondProcess(root, dbPath, 'shipping').parsed, 0);
});
