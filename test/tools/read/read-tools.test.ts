import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { outlineFile } from '../../../src/engine/languages/index.ts';
import { createDirectTools } from '../../helpers/tool-context.ts';

const root = mkdtempSync(join(tmpdir(), 'read-tools-'));
mkdirSync(join(root, 'src'));
const shared = Array.from({ length: 8 }, (_, i) => `  total += values[${i}] * weight(${i});`).join('\n');
writeFileSync(
  join(root, 'src/math.ts'),
  `import { weight } from './weight';\n\nexport function score(values: number[]): number {\n  let total = 0;\n${shared}\n  return total;\n}\n\nexport class Parser {\n  parse(text: string): string[] {\n    return text.split(' ');\n  }\n}\n`,
);
writeFileSync(
  join(root, 'src/copy.ts'),
  `import { weight } from './weight';\n\nexport function again(values: number[]): number {\n  let total = 0;\n${shared}\n  return total;\n}\n`,
);
writeFileSync(
  join(root, 'src/tool.py'),
  'import os\n\n\ndef run(path: str) -> int:\n    """Run it."""\n    return len(path)\n',
);
const tools = createDirectTools(root);
after(() => tools.close());

test('ctx_multi_read reads each file, numbers them, and re-sends everything with fresh', async () => {
  const opts = { contextId: 'm1' };
  const out = await tools.text(
    'ctx_multi_read',
    { paths: ['src/math.ts', 'src/tool.py', 'nope.ts'], mode: 'full' },
    opts,
  );
  assert.match(out, /^F1=src\/math\.ts 20L\n/);
  assert.match(out, /\n---\nF2=src\/tool\.py 6L\n/);
  assert.match(out, /ERROR nope\.ts: file not found/);
  assert.match(out, /Read 2 files, 1 failed \| \d+ tokens saved$/);
  const again = await tools.text('ctx_multi_read', { paths: ['src/math.ts'], mode: 'full' }, opts);
  assert.match(again, /unchanged/);
  const fresh = await tools.text(
    'ctx_multi_read',
    { paths: ['src/math.ts'], mode: 'full', fresh: true },
    opts,
  );
  assert.match(fresh, /export class Parser/);
});

test('ctx_smart_read names the mode it chose once, in the header, also when the answer is a stub', async () => {
  const first = await tools.text('ctx_smart_read', { path: 'src/tool.py' }, { contextId: 's1' });
  assert.match(first, /^F1=src\/tool\.py 6L \[auto:full\]\nimport os/);
  assert.equal(first.split('[auto:').length, 2, first);
  const again = await tools.text('ctx_smart_read', { path: 'src/tool.py' }, { contextId: 's1' });
  assert.match(again, /^F1=src\/tool\.py 6L \[auto:full\] unchanged: /);
  assert.equal(again.split('[auto:').length, 2, again);
});

test('ctx_delta shows the changed lines since this session last got the file', async () => {
  const opts = { contextId: 'd1' };
  const noSession = await tools.call('ctx_delta', { path: 'src/tool.py' });
  assert.equal(noSession.isError, true);
  await tools.text('ctx_read', { path: 'src/tool.py', mode: 'full' }, opts);
  assert.match(
    await tools.text('ctx_delta', { path: 'src/tool.py' }, opts),
    /cached \(no changes since read #1\)/,
  );
  writeFileSync(
    join(root, 'src/tool.py'),
    'import os\n\n\ndef run(path: str) -> int:\n    """Run it."""\n    return len(path) + 1\n',
  );
  const delta = await tools.text('ctx_delta', { path: 'src/tool.py' }, opts);
  assert.match(
    delta,
    /\+1 -1 since read #1\n5: {5}"""Run it\."""\n-6: {5}return len\(path\)\n\+6: {5}return len\(path\) \+ 1/,
  );
});

test('ctx_outline lists symbols with lines and filters by kind', async () => {
  const out = await tools.text('ctx_outline', { path: 'src/math.ts' });
  assert.match(out, /L3-14 function score \(exported\): export function score\(values: number\[\]\): number/);
  assert.match(out, /L16-20 class Parser/);
  assert.match(out, /L17-19 method Parser\.parse/);
  const fns = await tools.text('ctx_outline', { path: 'src/math.ts', kind: 'class' });
  assert.doesNotMatch(fns, /function score/);
});

test('ctx_symbol returns one symbol line-numbered, by bare or qualified name, in a file or anywhere', async () => {
  const out = await tools.text('ctx_symbol', { name: 'Parser.parse' });
  assert.match(
    out,
    /^File: src\/math\.ts method parse \(L17-19\)\n {2}17\| {2}parse\(text: string\): string\[\] \{/,
  );
  const inFile = await tools.text('ctx_symbol', { name: 'run', file: 'src/tool.py' });
  assert.match(inFile, /def run\(path: str\) -> int:/);
  const missing = await tools.call('ctx_symbol', { name: 'nothing_like_this' });
  assert.equal(missing.isError, true);
});

test('ctx_fill fits the batch into the budget by stepping files down to lighter modes', async () => {
  const roomy = await tools.text('ctx_fill', { paths: ['src/math.ts', 'src/copy.ts'], budget: 5000 });
  assert.match(roomy, /weight\(7\)/);
  const tight = await tools.text('ctx_fill', { paths: ['src/math.ts', 'src/copy.ts'], budget: 120 });
  const used = /Used: (\d+)\/120 tokens/.exec(tight);
  assert.ok(used && Number(used[1]) <= 120, tight);
  assert.doesNotMatch(tight, /weight\(7\)/);
});

test('ctx_dedup finds the block two files share', async () => {
  const out = await tools.text('ctx_dedup', {});
  assert.match(out, /src\/copy\.ts:\d+ ↔ src\/math\.ts:\d+/);
  assert.match(out, /2× import \{ weight \} from '\.\/weight';/);
});

test('ctx_analyze and ctx_benchmark measure the modes', async () => {
  const a = await tools.text('ctx_analyze', { path: 'src/math.ts' });
  assert.match(a, /signatures +\d+ tok +\d+% saved +names 100%/);
  assert.match(a, /recommended: full/);
  const b = await tools.text('ctx_benchmark', { path: 'src', action: 'project', format: 'markdown' });
  assert.match(
    b,
    /^3 files; ms\/file: median of 3 runs after a warm-up, file text to output, parsing included\n\| mode \| tokens/,
  );
  const j = JSON.parse(await tools.text('ctx_benchmark', { path: 'src/math.ts', format: 'json' }));
  assert.equal(j.files, 1);
  assert.equal(j.samples, 7);
});

test('ctx_benchmark times the parse inside every mode that needs one, not only in aggressive', async () => {
  const big = Array.from(
    { length: 1500 },
    (_, i) => `export function step${i}(values: number[]): number {\n  return values.length * ${i};\n}\n`,
  ).join('\n');
  writeFileSync(join(root, 'src/big.ts'), big);
  const j = JSON.parse(await tools.text('ctx_benchmark', { path: 'src/big.ts', format: 'json' }));
  const ms = Object.fromEntries(j.modes.map((m: { mode: string; ms: number }) => [m.mode, m.ms]));
  // the same parse, timed here the way the tool times it: warm-up, then the median of 7
  await outlineFile('src/big.ts', big);
  const parses: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    await outlineFile('src/big.ts', big);
    parses.push(performance.now() - start);
  }
  const parse = parses.sort((x, y) => x - y)[3] ?? 0;
  // a mode that renders from an outline costs at least the parse (a wide margin for noise)
  for (const mode of ['map', 'signatures', 'aggressive']) {
    assert.ok(ms[mode] >= parse / 4, `${mode}: ${ms[mode]} ms against a ${parse} ms parse`);
  }
});

test('ctx_context, ctx_compress and ctx_cache report and reset what the session holds', async () => {
  const opts = { contextId: 'c1' };
  await tools.text('ctx_read', { path: 'src/math.ts', mode: 'full' }, opts);
  await tools.text('ctx_read', { path: 'src/copy.ts', mode: 'map' }, opts);
  const overview = await tools.text('ctx_context', {}, opts);
  assert.match(overview, /F1=src\/math\.ts 20L reads=1 last=full full text held/);
  assert.match(overview, /F2=src\/copy\.ts 14L reads=1 last=map views only/);
  const cp = await tools.text('ctx_compress', {}, opts);
  assert.match(cp, /^CTX CHECKPOINT \(2 files\)/);
  assert.match(cp, /COMPRESSION: \d+ → \d+ tok \(sent to this session → checkpoint\)$/);
  assert.match(await tools.text('ctx_cache', { action: 'status' }, opts), /this session: 2 files/);
  assert.match(await tools.text('ctx_cache', { action: 'clear' }, opts), /forgot 2 files/);
  const after = await tools.text('ctx_read', { path: 'src/math.ts', mode: 'full' }, opts);
  assert.doesNotMatch(after, /unchanged/);
  assert.match(
    await tools.text('ctx_cache', { action: 'invalidate', path: 'src/math.ts' }, opts),
    /: [1-9]\d* session records dropped/,
  );
  const bad = await tools.call('ctx_cache', { action: 'invalidate' }, opts);
  assert.equal(bad.isError, true);
});
