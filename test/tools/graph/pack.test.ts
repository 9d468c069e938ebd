import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { countTokens } from '../../../src/engine/tokens.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

const git = (root: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
const write = (root: string, files: Record<string, string>) => {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
};

const MAIN: Record<string, string> = {
  'src/cart.ts':
    'export function total(prices: number[]): number {\n  return prices.reduce((a, b) => a + b, 0);\n}\n',
  'src/checkout.ts':
    "import { total } from './cart';\n\nexport function checkout(prices: number[]) {\n  return { due: total(prices) };\n}\n",
  'src/ui.ts': "import { checkout } from './checkout';\n\nexport const render = () => checkout([1]).due;\n",
  'src/other.ts': 'export const other = 1;\n',
  'test/cart.test.ts': "import { total } from '../src/cart';\n\ntotal([1, 2]);\n",
  'README.md': '# shop\n',
};

/** A pack's own statement of what it sent: `[N tok sent, budget B]`, or the JSON's `tokens`. */
const statedTokens = (text: string) => Number(/\[(\d+) tok sent, budget \d+\]/.exec(text)?.[1]);

async function errorText(srv: RunningTestServer, args: Record<string, unknown>): Promise<string> {
  const res = await callTool(srv, 'alice', { name: 'ctx_pack', arguments: args });
  const body = (await res.json()) as { result?: { isError?: boolean; content: { text: string }[] } };
  assert.equal(body.result?.isError, true, JSON.stringify(body));
  return body.result!.content[0]!.text;
}

let srv: RunningTestServer;
before(async () => {
  srv = await startTestServer({ files: MAIN });
  const root = srv.root;
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'shop');
  git(root, 'checkout', '-qb', 'feature/discount');
  write(root, {
    'src/cart.ts': `${MAIN['src/cart.ts']}\nexport function discounted(prices: number[], pct: number): number {\n  return total(prices) * (1 - pct / 100);\n}\n`,
    'src/coupon.ts':
      "import { discounted } from './cart';\n\nexport const halfOff = (p: number[]) => discounted(p, 50);\n",
    'src/rates.ts': Array.from(
      { length: 200 },
      (_, i) =>
        `export function rate${i}(amount: number, region: string): number { return amount * ${i}; }\n`,
    ).join(''),
  });
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'discounts');
  // main moves on: its change is not part of the PR
  git(root, 'checkout', '-q', 'main');
  write(root, { 'src/other.ts': 'export const other = 2;\n' });
  git(root, 'commit', '-qam', 'other');
  git(root, 'checkout', '-q', 'feature/discount');
  assert.match(await callToolText(srv, 'alice', 'ctx_index', { action: 'build' }), /^build: \d+ file/);
});
after(() => srv.close());

test('a feature branch packs its own changes since the merge-base: files, signatures, tests, impact, and the real token count', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr' });
  const mergeBase = git(srv.root, 'merge-base', 'main', 'HEAD').trim();
  assert.match(
    text,
    new RegExp(`^# PR context: feature/discount vs merge-base with main \\(${mergeBase.slice(0, 12)}\\)`),
  );
  assert.match(text, /^3 file\(s\) changed, \+207 -0$/m);
  const section = (name: string) => text.split(`## ${name}`)[1]!.split('\n## ')[0]!;
  assert.deepEqual(section('Changed files').trim().split('\n'), [
    '- src/cart.ts modified +4 -0',
    '- src/coupon.ts added +3 -0',
    '- src/rates.ts added +200 -0',
  ]);
  assert.doesNotMatch(text, /src\/other\.ts/);
  assert.deepEqual(section('Related tests').trim().split('\n'), [
    '- test/cart.test.ts (imports src/cart.ts)',
  ]);
  assert.deepEqual(section('Impact (files that depend on the change, 3 hops)').trim().split('\n'), [
    '- src/checkout.ts (1 hop)',
    '- src/ui.ts (2 hops)',
  ]);
  assert.match(
    section('Signatures'),
    /export function discounted\(prices: number\[\], pct: number\): number/,
  );
  assert.match(section('Signatures'), /### src\/coupon\.ts/);
  const stated = statedTokens(text);
  assert.equal(stated, countTokens(text));
  assert.ok(stated <= 6000);
});

test('a small budget leaves signatures out, says which, and stays within it', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr', budget_tokens: 1000, depth: 1 });
  assert.match(text, /^Left out for the budget: src\/rates\.ts$/m);
  assert.match(text, /^### src\/coupon\.ts$/m);
  assert.deepEqual(text.split('## Impact')[1]!.split('\n').slice(1, 3), ['- src/checkout.ts (1 hop)', '']);
  assert.equal(statedTokens(text), countTokens(text));
  assert.ok(statedTokens(text) <= 1000);
});

test('json carries the same pack and its own token count; a named base is used as given', async () => {
  const text = await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr', format: 'json', base: 'main' });
  const pack = JSON.parse(text) as {
    base: { label: string; head: string };
    changed: { path: string; status: string; changed: number[][] }[];
    tests: { path: string }[];
    tokens: number;
  };
  assert.equal(pack.base.label, 'main');
  // base...HEAD diffs from the merge-base, so main's own commit still does not show
  assert.deepEqual(
    pack.changed.map((f) => `${f.path} ${f.status} ${JSON.stringify(f.changed)}`),
    ['src/cart.ts modified [[4,7]]', 'src/coupon.ts added [[1,3]]', 'src/rates.ts added [[1,200]]'],
  );
  assert.equal(pack.tokens, countTokens(text));
});

test('on the default branch auto falls back to HEAD~1; a bad base is named', async () => {
  git(srv.root, 'checkout', '-q', 'main');
  try {
    const text = await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr' });
    assert.match(text, /^# PR context: main vs HEAD~1/);
    assert.match(text, /^- src\/other\.ts modified \+1 -1$/m);
  } finally {
    git(srv.root, 'checkout', '-q', 'feature/discount');
  }
  assert.match(
    await errorText(srv, { action: 'pr', base: '--output=/tmp/x' }),
    /base "--output=\/tmp\/x" is not a revision name/,
  );
  assert.match(
    await errorText(srv, { action: 'pr', base: 'no-such-branch' }),
    /not a commit in this repository/,
  );
});

test('a workspace that is not a git repository says why, and still packs a diff given as text', async () => {
  const plain = await startTestServer({ files: MAIN });
  try {
    assert.match(
      await errorText(plain, { action: 'pr' }),
      /ctx_pack needs git history, and the workspace is not a git repository/,
    );
    const text = await callToolText(plain, 'alice', 'ctx_pack', {
      action: 'pr',
      diff: 'M\tsrc/checkout.ts\nD\tsrc/gone.ts\n',
    });
    assert.match(text, /^# PR context: the given diff$/m);
    assert.match(text, /^- src\/checkout\.ts modified/m);
    assert.match(text, /^- src\/gone\.ts deleted/m);
    assert.match(text, /^- src\/ui\.ts \(1 hop\)$/m);
  } finally {
    await plain.close();
  }
});
