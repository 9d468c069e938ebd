import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { countTokens } from '../../../src/engine/tokens.ts';
import { createDirectTools } from '../../helpers/tool-context.ts';

const root = mkdtempSync(join(tmpdir(), 'ctx-read-'));
const source = [
  "import { z } from 'zod';",
  '',
  '/** Adds two numbers. */',
  'export function add(a: number, b: number): number {',
  '  // the sum',
  '  return a + b;',
  '}',
  '',
  'export class Counter {',
  '  private n = 0;',
  '  inc(): number {',
  '    return ++this.n;',
  '  }',
  '}',
  '',
].join('\n');
writeFileSync(join(root, 'a.ts'), source);
writeFileSync(join(root, 'crlf.txt'), 'one\r\ntwo\r\n\r\nfour');
writeFileSync(join(root, 'bin.dat'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]));
writeFileSync(join(root, '.env'), 'TOKEN=x');
const tools = createDirectTools(root);
after(() => tools.close());

const body = (out: string) => out.slice(out.indexOf('\n') + 1);

test('full mode returns the header and then the file byte for byte', async () => {
  const out = await tools.text('ctx_read', { path: 'a.ts', mode: 'full' });
  assert.equal(out.split('\n')[0], 'F1=a.ts 14L');
  assert.equal(body(out), readFileSync(join(root, 'a.ts'), 'utf8'));
});

test('lines mode numbers the lines and keeps their bytes, CR included, for comma lists', async () => {
  const out = await tools.text('ctx_read', { path: 'crlf.txt', mode: 'lines:1,3-4' });
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(1, 4), ['1|one\r', '3|\r', '4|four']);
  assert.match(lines[4] ?? '', /^\[\d+ tok saved \(\d+%\)\]$/);
});

test('a read returns as data the same savings its footer prints, against the whole file', async () => {
  const sig = await tools.outcome('ctx_read', { path: 'a.ts', mode: 'signatures' });
  const text = sig.result.content[0]?.type === 'text' ? sig.result.content[0].text : '';
  assert.equal(sig.tokensRaw, countTokens(source));
  assert.ok(sig.tokensSaved > 0);
  assert.match(text, new RegExp(`\\[${sig.tokensSaved} tok saved \\(\\d+%\\)\\]$`));
  const full = await tools.outcome('ctx_read', { path: 'a.ts', mode: 'full' });
  assert.equal(full.tokensSaved, 0);
});

test('start_line reads from that line to the end', async () => {
  const out = await tools.text('ctx_read', { path: 'a.ts', start_line: 13 });
  assert.deepEqual(out.split('\n').slice(1, 3), ['13|  }', '14|}']);
});

test('signatures and map keep every definition and end with the savings footer', async () => {
  const sig = await tools.text('ctx_read', { path: 'a.ts', mode: 'signatures' });
  assert.match(sig, /export function add\(a: number, b: number\): number/);
  assert.match(sig, /inc\(\): number/);
  assert.match(sig, /deps: zod/);
  assert.match(sig, /\[\d+ tok saved \(\d+%\)\]$/);
  const map = await tools.text('ctx_read', { path: 'a.ts', mode: 'map' });
  assert.match(map, /export class Counter\n\s+\{n, inc\}/);
});

test('aggressive drops comments and blank lines but keeps the code', async () => {
  const out = await tools.text('ctx_read', { path: 'a.ts', mode: 'aggressive' });
  assert.doesNotMatch(out, /Adds two numbers|the sum/);
  assert.match(out, /return a \+ b;/);
});

test('reference, entropy and task modes answer in their own shapes', async () => {
  assert.match(
    await tools.text('ctx_read', { path: 'a.ts', mode: 'reference' }),
    /^F1=a\.ts: 14 lines, \d+ tok \(ts\)$/,
  );
  assert.match(await tools.text('ctx_read', { path: 'a.ts', mode: 'entropy' }), /\[entropy: H̄=/);
  const task = await tools.text('ctx_read', { path: 'a.ts', mode: 'task', task: 'counter increment' });
  assert.match(task, /9\|export class Counter/);
});

test('binary, secret, missing and outside paths are refused with a hint', async () => {
  for (const [path, re] of [
    ['bin.dat', /binary file/],
    ['.env', /secret file/],
    ['nope.ts', /file not found.*ctx_tree/],
    ['../etc/passwd', /outside the workspace root/],
  ] as const) {
    const r = await tools.call('ctx_read', { path });
    assert.equal(r.isError, true, path);
    assert.match(JSON.stringify(r.content), re);
  }
  const bad = await tools.call('ctx_read', { path: 'a.ts', mode: 'lines:9-3' });
  assert.match(JSON.stringify(bad.content), /M ≥ N/);
  const unknown = await tools.text('ctx_read', { path: 'a.ts', mode: 'fancy' });
  assert.match(unknown, /unknown mode "fancy"; use one of auto, full/);
});

test('a re-read in the same context is a stub; another context, no context or fresh get the content', async () => {
  const first = await tools.text('ctx_read', { path: 'a.ts', mode: 'full' }, { contextId: 's1' });
  assert.equal(body(first), source);
  const again = await tools.text('ctx_read', { path: 'a.ts', mode: 'full' }, { contextId: 's1' });
  assert.match(again, /unchanged: this context received this exact content at read #1/);
  assert.equal(
    body(await tools.text('ctx_read', { path: 'a.ts', mode: 'full' }, { contextId: 's2' })),
    source,
  );
  assert.equal(body(await tools.text('ctx_read', { path: 'a.ts', mode: 'full' })), source);
  assert.equal(body(await tools.text('ctx_read', { path: 'a.ts', mode: 'full' })), source);
  const fresh = await tools.text(
    'ctx_read',
    { path: 'a.ts', mode: 'full', fresh: true },
    { contextId: 's1' },
  );
  assert.equal(body(fresh), source);
});

test('a changed file comes back as a compact diff when that is much smaller', async () => {
  const big = Array.from({ length: 200 }, (_, i) => `export const value${i} = ${i};`).join('\n');
  writeFileSync(join(root, 'big.ts'), big);
  await tools.text('ctx_read', { path: 'big.ts', mode: 'full' }, { contextId: 'd1' });
  writeFileSync(join(root, 'big.ts'), big.replace('value100 = 100', 'value100 = 1000'));
  const out = await tools.text('ctx_read', { path: 'big.ts', mode: 'full' }, { contextId: 'd1' });
  assert.match(out, /changed since read #1: \+1 -1/);
  assert.match(out, /-101: export const value100 = 100;\n\+101: export const value100 = 1000;/);
  // a context that never saw the old version gets everything
  const other = await tools.text('ctx_read', { path: 'big.ts', mode: 'full' }, { contextId: 'd2' });
  assert.match(other, /value100 = 1000/);
  assert.equal(other.split('\n').length, 201);
});
