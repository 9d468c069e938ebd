import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

/** Every .ts file under a package directory of node_modules, as `prefix/rel` → text. */
function copyPackage(dir: string, prefix: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) files[`${prefix}/${relative(dir, p)}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

const lines = (n: number, line: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => line(i)).join('\n');
/** A function spanning exactly `total` lines: header, body, closing brace. */
const fnOfLines = (name: string, total: number) =>
  `export function ${name}(x: number) {\n${lines(total - 3, () => '  x += 1;')}\n  return x;\n}`;
const branches = (n: number) => lines(n, (i) => `  if (x > ${i}) x -= 1;`);

const FILES: Record<string, string> = {
  'src/core/math.ts': [
    'export function add(a: number, b: number) {',
    '  return a + b;',
    '}',
    '',
    'export function unusedExport() {',
    '  return onlyHere();',
    '}',
    '',
    'export function onlyHere() {',
    '  return 1;',
    '}',
    '',
  ].join('\n'),
  'src/core/calc.ts': [
    "import { add } from './math';",
    '',
    'export function compute(x: number) {',
    branches(9),
    '  if (x > 100 && x < 200) return add(x, 1);',
    '  return x;',
    '}',
    '',
    'export function simple(x: number) {',
    branches(8),
    '  // if (a) if (b) if (c) — comments do not count',
    "  const s = 'if for while && ||';",
    '  return x > 1 ? s : add(x, 2);',
    '}',
    '',
    'export function orchestrate() {',
    lines(15, (i) => `  step${i}();`),
    '}',
    '',
    'export function almost() {',
    lines(14, (i) => `  step${i}();`),
    '}',
    '',
    lines(15, (i) => `function step${i}() {}`),
    '',
  ].join('\n'),
  'src/core/long.ts': `${fnOfLines('tooLong', 81)}\n\n${fnOfLines('justRight', 80)}\n`,
  'src/core/big.ts': `${lines(501, (i) => `const v${i} = ${i};`)}\n`,
  'src/core/hub.ts': `${lines(30, (i) => `export function f${i}() {\n  return ${i};\n}`)}\n`,
  ...Object.fromEntries(
    Array.from({ length: 15 }, (_, i) => [
      `bin/u${i}.ts`,
      `import { f${2 * i}, f${2 * i + 1} } from '../src/core/hub';\n\nconsole.log(f${2 * i}() + f${2 * i + 1}());\n`,
    ]),
  ),
  'src/a/config.ts': 'export class Config {}\n',
  'src/b/config.ts': 'export class Config {}\n',
  'test/math.test.ts':
    "import { add } from '../src/core/math';\nimport { compute, simple, orchestrate, almost, tooLong, justRight } from '../src/core/x';\n\nclass Config {}\nadd(1, 2);\n",
  'test/hub.test.ts': `${lines(30, (i) => `f${i}();`)}\n`,
};

interface Finding {
  rule: string;
  file: string;
  line: number;
  symbol?: string;
  metric?: number;
}

let srv: RunningTestServer;
before(async () => {
  srv = await startTestServer({ files: FILES });
  assert.match(await callToolText(srv, 'alice', 'ctx_index', { action: 'build' }), /^build: \d+ file/);
});
after(() => srv.close());

async function findings(args: Record<string, unknown>): Promise<string[]> {
  const text = await callToolText(srv, 'alice', 'ctx_smells', { format: 'json', ...args });
  const parsed = JSON.parse(text) as { findings: Finding[] };
  return parsed.findings
    .map(
      (f) =>
        `${f.rule} ${f.file}:${f.line}${f.symbol ? ` ${f.symbol}` : ''}${f.metric ? ` =${f.metric}` : ''}`,
    )
    .sort();
}

test('each rule reports exactly the planted smell and leaves its just-under-threshold twin alone', async () => {
  const expected: Record<string, string[]> = {
    dead_code: [
      'dead_code src/a/config.ts:1 Config',
      'dead_code src/b/config.ts:1 Config',
      'dead_code src/core/math.ts:5 unusedExport',
    ],
    long_function: ['long_function src/core/long.ts:1 tooLong =81'],
    long_file: ['long_file src/core/big.ts:1 =501'],
    god_file: ['god_file src/core/hub.ts:1 =30'],
    fan_out_skew: ['fan_out_skew src/core/calc.ts:31 orchestrate =15'],
    duplicate_definitions: [
      'duplicate_definitions src/a/config.ts:1 Config =2',
      'duplicate_definitions src/b/config.ts:1 Config =2',
    ],
    cyclomatic_complexity: ['cyclomatic_complexity src/core/calc.ts:3 compute =12'],
  };
  for (const [rule, want] of Object.entries(expected)) {
    assert.deepEqual(await findings({ action: 'scan', rule }), want, rule);
  }
});

test('untested_function names exported functions no test calls or imports', async () => {
  assert.deepEqual(await findings({ action: 'file', path: 'src/core/math.ts', rule: 'untested_function' }), [
    'untested_function src/core/math.ts:5 unusedExport',
    'untested_function src/core/math.ts:9 onlyHere',
  ]);
});

test('text answers carry file:line and each rule its threshold; rules lists all eight', async () => {
  const scan = await callToolText(srv, 'alice', 'ctx_smells', { action: 'scan', path: 'src/core' });
  assert.match(scan, /^\d+ smell\(s\) in \d+ file\(s\) under src\/core \[indexed \d+ \/ \d+ files\]/);
  assert.match(scan, /^long_function \(function or method longer than 80 lines\): 1$/m);
  assert.match(scan, /^ {2}src\/core\/long\.ts:1 function tooLong: 81 lines$/m);
  assert.doesNotMatch(scan, /src\/(a|b)\/config/);
  assert.match(scan, /tok saved/);
  const summary = await callToolText(srv, 'alice', 'ctx_smells', { action: 'summary' });
  assert.match(summary, /^cyclomatic_complexity: 1 — .*over 10/m);
  const rules = await callToolText(srv, 'alice', 'ctx_smells', { action: 'rules' });
  assert.equal(rules.split('\n').length, 8);
  for (const r of ['dead_code', 'god_file', 'fan_out_skew', 'untested_function'])
    assert.match(rules, new RegExp(`^${r}: `, 'm'));
});

test('a path not in the graph names the nearest indexed paths', async () => {
  const res = await callTool(srv, 'alice', {
    name: 'ctx_smells',
    arguments: { action: 'file', path: 'src/core/maths.ts' },
  });
  const body = (await res.json()) as { result: { isError: boolean; content: { text: string }[] } };
  assert.equal(body.result.isError, true);
  assert.match(body.result.content[0]!.text, /not in the code graph; nearest paths: src\/core\/math\.ts/);
});

test('on tailwind-merge (code nobody here wrote) every dead_code name appears in no other file, and every finding points at its symbol', async () => {
  const files = copyPackage('node_modules/tailwind-merge/src', 'src');
  const real = await startTestServer({ files });
  try {
    assert.match(await callToolText(real, 'alice', 'ctx_index', { action: 'build' }), /^build: \d+ file/);
    const text = await callToolText(real, 'alice', 'ctx_smells', { action: 'scan', format: 'json' });
    const { findings: all } = JSON.parse(text) as { findings: (Finding & { symbol?: string })[] };
    assert.ok(all.length > 0);
    const dead = all.filter((f) => f.rule === 'dead_code');
    // re-exported from src/index.ts: not dead
    assert.ok(!dead.some((f) => f.symbol === 'twMerge' || f.symbol === 'extendTailwindMerge'));
    for (const f of dead) {
      const word = new RegExp(`\\b${f.symbol}\\b`);
      const elsewhere = Object.entries(files).filter(([p, t]) => p !== f.file && word.test(t));
      assert.deepEqual(
        elsewhere.map(([p]) => p),
        [],
        `${f.symbol} is named in another file`,
      );
    }
    for (const f of all.filter((x) => x.symbol)) {
      const line = files[f.file]!.split('\n')[f.line - 1]!;
      assert.ok(
        line.includes(f.symbol!.split('.').pop()!),
        `${f.rule} ${f.file}:${f.line} is not ${f.symbol}: ${line}`,
      );
    }
    assert.match(
      await callToolText(real, 'alice', 'ctx_smells', { action: 'summary' }),
      /untested_function: skipped, the code graph holds no test file/,
    );
  } finally {
    await real.close();
  }
});
