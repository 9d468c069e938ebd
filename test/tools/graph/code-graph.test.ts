import assert from 'node:assert/strict';
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

/** Every file under a directory of node_modules, as `prefix/rel` → text. */
function copyPackage(dir: string, prefix: string, ext = /\.ts$/): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (ext.test(e.name)) files[`${prefix}/${relative(dir, p)}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

/** The `file:line` of each resolved edge in a ctx_callers/ctx_callees answer (unresolved ones start with `?`). */
const resolvedSites = (text: string) => [...text.matchAll(/^ {2}(\S+:\d+) → /gm)].map((m) => m[1]!).sort();

/** Call sites of `name` by plain text search: `name(` or `name<…>(`, definitions left out. */
function grepCallSites(files: Record<string, string>, name: string): string[] {
  const call = new RegExp(`\\b${name}\\s*(<[^>()]*>)?\\(`);
  const def = new RegExp(`(const|function)\\s+${name}\\b`);
  const sites: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    text.split('\n').forEach((line, i) => {
      if (call.test(line) && !def.test(line)) sites.push(`${rel}:${i + 1}`);
    });
  }
  return sites.sort();
}

const callers = (srv: RunningTestServer, symbol: string) =>
  callToolText(srv, 'alice', 'ctx_callers', { symbol });

test('callers of exported functions in tailwind-merge match what a text search finds, resolved through imports', async () => {
  const files = copyPackage('node_modules/tailwind-merge/src', 'src');
  const srv = await startTestServer({ files });
  try {
    assert.match(await callToolText(srv, 'alice', 'ctx_index', { action: 'build' }), /^build: \d+ file/);
    for (const name of [
      'getIsArbitraryValue',
      'createLruCache',
      'sortModifiers',
      'mergeClassList',
      'createConfigUtils',
    ]) {
      const expected = grepCallSites(files, name);
      assert.ok(expected.length > 0, `${name} is called somewhere`);
      const text = await callers(srv, name);
      assert.deepEqual(resolvedSites(text), expected, `${name}:\n${text}`);
      assert.match(text, /\[indexed \d+ \/ \d+ files\]/);
      assert.match(text, /tok saved/);
    }
    const config = await callers(srv, 'createLruCache');
    assert.match(config, /src\/lib\/config-utils\.ts:9 → createConfigUtils/);
    const callees = await callToolText(srv, 'alice', 'ctx_callees', { symbol: 'createConfigUtils' });
    assert.match(callees, /createLruCache \(src\/lib\/lru-cache\.ts:9\)/);
  } finally {
    await srv.close();
  }
});

test('an edit, an add, a rename and a delete each show in the next query without a rebuild', async () => {
  const srv = await startTestServer({
    files: {
      'lib/target.ts': 'export function target(n: number) {\n  return n + 1;\n}\n',
      'app/one.ts':
        "import { target } from '../lib/target';\n\nexport function one() {\n  return target(1);\n}\n",
    },
  });
  try {
    assert.deepEqual(resolvedSites(await callers(srv, 'target')), ['app/one.ts:4']);
    writeFileSync(
      join(srv.root, 'app/two.ts'),
      "import { target } from '../lib/target.ts';\n\nexport const two = () =>\n  target(2);\n",
    );
    assert.deepEqual(resolvedSites(await callers(srv, 'target')), ['app/one.ts:4', 'app/two.ts:4']);
    writeFileSync(
      join(srv.root, 'app/alias.ts'),
      "import { target as t } from '../lib/target.ts';\n\nexport const alias = () => t(2);\n",
    );
    assert.deepEqual(resolvedSites(await callers(srv, 'target')), [
      'app/alias.ts:3',
      'app/one.ts:4',
      'app/two.ts:4',
    ]);
    rmSync(join(srv.root, 'app/alias.ts'));
    writeFileSync(join(srv.root, 'app/one.ts'), 'export function one() {\n  return 1;\n}\n');
    assert.deepEqual(resolvedSites(await callers(srv, 'target')), ['app/two.ts:4']);
    renameSync(join(srv.root, 'app/two.ts'), join(srv.root, 'app/three.ts'));
    assert.deepEqual(resolvedSites(await callers(srv, 'target')), ['app/three.ts:4']);
    rmSync(join(srv.root, 'app/three.ts'));
    assert.match(await callers(srv, 'target'), /^0 caller\(s\) of 'target'/);
  } finally {
    await srv.close();
  }
});

test('Python callers resolve through packages, relative imports, a src/ layout and self', async () => {
  const srv = await startTestServer({
    files: {
      'src/shop/__init__.py': '',
      'src/shop/prices.py': 'def total(items):\n    return sum(items)\n',
      'src/shop/cart.py':
        'from .prices import total\n\n\nclass Cart:\n    def add(self, x):\n        return self.sum([x])\n\n    def sum(self, xs):\n        return total(xs)\n',
      'tests/test_cart.py':
        'from shop import prices\n\n\ndef test_total():\n    assert prices.total([1, 2]) == 3\n\n\ndef total(x):\n    return x\n',
    },
  });
  try {
    assert.deepEqual(resolvedSites(await callers(srv, 'total')), [
      'src/shop/cart.py:9',
      'tests/test_cart.py:5',
    ]);
    assert.match(await callers(srv, 'Cart.sum'), /^ {2}src\/shop\/cart\.py:6 → Cart\.add$/m);
    const impact = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'impact',
      path: 'src/shop/prices.py',
    });
    assert.match(
      impact,
      /^2 file\(s\) depend on src\/shop\/prices\.py:\n {2}src\/shop\/cart\.py \(1 hop\)\n {2}tests\/test_cart\.py \(1 hop\)/,
    );
  } finally {
    await srv.close();
  }
});

test('TS imports resolve through tsconfig paths and baseUrl, Go imports through the go.mod module path', async () => {
  const srv = await startTestServer({
    files: {
      'tsconfig.json':
        '{\n  // comments and trailing commas are allowed\n  "compilerOptions": { "baseUrl": ".", "paths": { "@core/*": ["packages/core/src/*"], }, },\n}\n',
      'packages/core/src/clock.ts': 'export function now() {\n  return 0;\n}\n',
      'packages/core/src/index.ts': "export { now } from './clock';\n",
      'apps/web/main.ts': "import { now } from '@core/clock';\n\nnow();\n",
      'apps/web/other.ts': "import { now } from 'packages/core/src/clock';\n\nexport const t = now();\n",
      'go.mod': 'module example.com/shop\n\ngo 1.22\n',
      'pkg/text/reverse.go': 'package text\n\nfunc Reverse(s string) string {\n\treturn s\n}\n',
      'pkg/text/upper.go': 'package text\n\nfunc Upper(s string) string {\n\treturn Reverse(s)\n}\n',
      'cmd/shop/main.go':
        'package main\n\nimport (\n\t"fmt"\n\tt "example.com/shop/pkg/text"\n)\n\nfunc main() {\n\tfmt.Println(t.Reverse("x"))\n}\n',
    },
  });
  try {
    assert.deepEqual(resolvedSites(await callers(srv, 'now')), ['apps/web/main.ts:3', 'apps/web/other.ts:3']);
    assert.deepEqual(resolvedSites(await callers(srv, 'Reverse')), [
      'cmd/shop/main.go:9',
      'pkg/text/upper.go:4',
    ]);
    const impact = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'impact',
      path: 'packages/core/src/clock.ts',
    });
    assert.match(impact, /^3 file\(s\) depend on packages\/core\/src\/clock\.ts:/);
    const symbol = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'symbol',
      path: 'packages/core/src/clock.ts::now',
    });
    assert.match(
      symbol,
      /^packages\/core\/src\/clock\.ts:1-3 function now \(exported\)\n {2}export function now\(\)/,
    );
    const related = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'related',
      path: 'apps/web/main.ts',
    });
    assert.match(
      related,
      /^3 file\(s\) related to apps\/web\/main\.ts:\n {2}packages\/core\/src\/clock\.ts \(1 hop\)\n/,
    );
  } finally {
    await srv.close();
  }
});

test('graph queries need the graph scope; builds need index as well', async () => {
  const srv = await startTestServer({
    files: { 'src/a.ts': 'export function a() {\n  return 1;\n}\n' },
    tokens: [
      { id: 'reader', scopes: ['search'] },
      { id: 'grapher', scopes: ['graph'] },
      { id: 'builder', scopes: ['graph', 'index'] },
    ],
  });
  try {
    const denied = await callTool(srv, 'reader', { name: 'ctx_callers', arguments: { symbol: 'a' } });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error_code: string }).error_code, 'scope_denied');
    assert.match(
      await callToolText(srv, 'grapher', 'ctx_index', { action: 'status' }),
      /^Code graph: 1 files/,
    );
    const build = await callTool(srv, 'grapher', { name: 'ctx_index', arguments: { action: 'build' } });
    assert.equal(build.status, 403);
    assert.match(
      await callToolText(srv, 'builder', 'ctx_index', { action: 'build' }),
      /^build: 0 file\(s\) parsed/,
    );
  } finally {
    await srv.close();
  }
});

test('an unknown symbol or path answers with the nearest names', async () => {
  const srv = await startTestServer({
    files: { 'src/tally.ts': 'export function computeTotal() {\n  return 1;\n}\n' },
  });
  try {
    const res = await callTool(srv, 'alice', { name: 'ctx_callers', arguments: { symbol: 'computeTotl' } });
    const body = (await res.json()) as { result: { isError?: boolean; content: { text: string }[] } };
    assert.equal(body.result.isError, true);
    assert.match(
      body.result.content[0]!.text,
      /no symbol "computeTotl" in the code graph; nearest names: computeTotal/,
    );
    const path = await callTool(srv, 'alice', {
      name: 'ctx_graph',
      arguments: { action: 'related', path: 'src/taly.ts' },
    });
    const pathBody = (await path.json()) as { result: { isError?: boolean; content: { text: string }[] } };
    assert.match(
      pathBody.result.content[0]!.text,
      /"src\/taly\.ts" is not in the code graph; nearest paths: src\/tally\.ts/,
    );
  } finally {
    await srv.close();
  }
});

test('a full build of a real package runs off the event loop: /health answers throughout', async () => {
  const srv = await startTestServer({ files: copyPackage('node_modules/rxjs/src', 'src') });
  try {
    let finished = false;
    const build = callToolText(srv, 'alice', 'ctx_index', { action: 'build-full' }).finally(() => {
      finished = true;
    });
    let probes = 0;
    while (!finished) {
      const started = Date.now();
      const res = await srv.request('/health');
      assert.equal(res.status, 200);
      assert.ok(Date.now() - started < 2_000, 'health answered within seconds');
      probes++;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(await build, /^build-full: \d+ file\(s\) parsed in \d+ ms\nCode graph: \d+ files/);
    assert.ok(probes > 1, 'the build took long enough to probe /health during it');
    const status = await callToolText(srv, 'alice', 'ctx_index', { action: 'status' });
    assert.match(status, /\[indexed (\d[\d,]*) \/ \1 files/);
  } finally {
    await srv.close();
  }
});
