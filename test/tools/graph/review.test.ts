import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { callToolText, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

const git = (root: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

/** A function of complexity 12 (eleven `if`s), over ctx_smells' threshold of 10. */
const branchy = (name: string) =>
  `export function ${name}(x: number): number {\n${Array.from({ length: 11 }, (_, i) => `  if (x > ${i}) x -= 1;`).join('\n')}\n  return x;\n}\n`;

const CART = `export function total(prices: number[]): number {\n  return prices.reduce((a, b) => a + b, 0);\n}\n\n${branchy('legacy')}`;

let srv: RunningTestServer;
let diff: string;
before(async () => {
  srv = await startTestServer({
    files: {
      'src/cart.ts': CART,
      'src/checkout.ts':
        "import { total } from './cart';\n\nexport function checkout(prices: number[]) {\n  return { due: total(prices) };\n}\n",
      'src/ui.ts':
        "import { checkout } from './checkout';\n\nexport const render = () => checkout([1]).due;\n",
      'test/cart.test.ts': "import { total } from '../src/cart';\n\ntotal([1, 2]);\n",
    },
  });
  git(srv.root, 'init', '-q', '-b', 'main');
  git(srv.root, 'add', '-A');
  git(srv.root, 'commit', '-qm', 'shop');
  git(srv.root, 'checkout', '-qb', 'feature');
  writeFileSync(join(srv.root, 'src/cart.ts'), `${CART}\n${branchy('discounted')}`);
  writeFileSync(
    join(srv.root, 'src/coupon.ts'),
    "import { discounted } from './cart';\n\nexport function halfOff(p: number) {\n  return discounted(p);\n}\n",
  );
  git(srv.root, 'add', '-A');
  git(srv.root, 'commit', '-qm', 'discounts');
  diff = git(srv.root, 'diff', 'main...HEAD');
  assert.match(await callToolText(srv, 'alice', 'ctx_index', { action: 'build' }), /^build: \d+ file/);
});
after(() => srv.close());

test('review of a file: its exports, their callers elsewhere, dependents, tests and every smell of the file', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_review', { action: 'review', path: 'src/cart.ts' });
  assert.match(text, /^Review of src\/cart\.ts$/m);
  assert.match(
    text,
    /^exported: function total \(L1-3\), function legacy \(L5-18\), function discounted \(L20-33\)$/m,
  );
  assert.match(text, /^callers from other files: 3$/m);
  assert.match(text, /^ {2}test\/cart\.test\.ts:3 → \(module\) calls total$/m);
  assert.match(text, /^ {2}src\/checkout\.ts:4 → checkout calls total$/m);
  assert.match(text, /^ {2}src\/coupon\.ts:4 → halfOff calls discounted$/m);
  assert.match(
    text,
    /^## Impact: 3 file\(s\) depend on it \(3 hops\)\n {2}src\/checkout\.ts \(1 hop\)\n {2}src\/coupon\.ts \(1 hop\)\n {2}src\/ui\.ts \(2 hops\)$/m,
  );
  assert.match(text, /^## Tests: 1\n {2}test\/cart\.test\.ts \(imports src\/cart\.ts\)$/m);
  assert.match(text, /^## Smells: 5$/m);
  assert.match(
    text,
    /^ {2}src\/cart\.ts:5 dead_code: function legacy is exported, never imported or called$/m,
  );
  assert.match(text, /^ {2}src\/cart\.ts:5 cyclomatic_complexity: legacy: complexity 12$/m);
  assert.match(text, /^ {2}src\/cart\.ts:20 cyclomatic_complexity: discounted: complexity 12$/m);
  assert.match(text, /tok saved/);
});

test('diff-review of real git diff output narrows to the touched symbols, their callers and their smells', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_review', { action: 'diff-review', path: diff });
  assert.match(text, /^Diff review: 2 file\(s\) in the code graph$/m);
  assert.match(
    text,
    /^## src\/cart\.ts \(modified, lines 19-33\)\ntouched: function discounted \(L20-33\)\ncallers from other files: 1\n {2}src\/coupon\.ts:4 → halfOff calls discounted$/m,
  );
  assert.match(
    text,
    /^## src\/coupon\.ts \(added, lines 1-5\)\ntouched: function halfOff \(L3-5\)\ncallers from other files: 0$/m,
  );
  assert.doesNotMatch(text, /calls total|legacy/);
  assert.deepEqual(text.split('## Smells: ')[1]!.split('\n').slice(0, 5), [
    '4',
    '  src/cart.ts:20 untested_function: discounted: no test file calls or imports it',
    '  src/coupon.ts:3 dead_code: function halfOff is exported, never imported or called',
    '  src/coupon.ts:3 untested_function: halfOff: no test file calls or imports it',
    '  src/cart.ts:20 cyclomatic_complexity: discounted: complexity 12',
  ]);
  assert.match(text, /^ {2}src\/ui\.ts \(2 hops\)$/m);
});

test('checklist from a diff asks about exports, callers, dependents, tests and smells', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_review', { action: 'checklist', path: diff });
  const items = text.split('\n').filter((l) => l.startsWith('- [ ] '));
  assert.deepEqual(items, [
    '- [ ] discounted in src/cart.ts is exported: is the change backward-compatible?',
    '- [ ] 1 call site(s) in other files reach src/cart.ts (first: src/coupon.ts:4): do they still hold?',
    '- [ ] halfOff in src/coupon.ts is exported: is the change backward-compatible?',
    '- [ ] 2 file(s) depend on the change (src/checkout.ts, src/ui.ts): reviewed?',
    '- [ ] run the related tests: test/cart.test.ts',
    '- [ ] no test reaches src/coupon.ts: add one?',
    '- [ ] untested_function at src/cart.ts:20: discounted: no test file calls or imports it',
    '- [ ] dead_code at src/coupon.ts:3: function halfOff is exported, never imported or called',
    '- [ ] untested_function at src/coupon.ts:3: halfOff: no test file calls or imports it',
    '- [ ] cyclomatic_complexity at src/cart.ts:20: discounted: complexity 12',
  ]);
});

test('bad input names what is wrong: a path not in the graph, text that is no diff', async () => {
  for (const [args, want] of [
    [
      { action: 'review', path: 'src/carts.ts' },
      /"src\/carts\.ts" is not in the code graph; nearest paths: src\/cart\.ts/,
    ],
    [{ action: 'diff-review', path: '\n' }, /path holds no diff/],
  ] as const) {
    await assert.rejects(callToolText(srv, 'alice', 'ctx_review', args), want);
  }
});
