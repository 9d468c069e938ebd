import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildWholeGraph, copyPackage, textImportGraph } from '../../helpers/import-oracle.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

const built = (srv: RunningTestServer) =>
  buildWholeGraph((name, args) => callToolText(srv, 'alice', name, args));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], { cwd });

/** The Mermaid block of an answer: node id → label, and edges as label pairs. */
function parseMermaid(text: string) {
  const block = /```mermaid\n([\s\S]*?)\n```/.exec(text)?.[1];
  assert.ok(block, `a mermaid block in:\n${text}`);
  const lines = block.split('\n');
  assert.equal(lines[0], 'graph LR');
  const nodes = new Map<string, string>();
  const edges: [string, string][] = [];
  for (const line of lines.slice(1)) {
    const node = /^ {2}(n\d+|more)\["([^"]*)"\]$/.exec(line);
    const edge = /^ {2}(n\d+) -->(?:\|"[^"]*"\|)? (n\d+)$/.exec(line);
    if (node) nodes.set(node[1]!, node[2]!);
    else if (edge) edges.push([edge[1]!, edge[2]!]);
    else assert.match(line, /^ {2}(style n\d+ stroke-width:3px|%% .*)$/, `a well-formed line: ${line}`);
  }
  return { nodes, edges: edges.map(([a, b]) => [nodes.get(a)!, nodes.get(b)!] as const) };
}

/** Files within `depth` import hops of `path`, either way, by the text oracle. */
function reachBothWays(graph: Map<string, Map<string, number>>, path: string, depth: number): Set<string> {
  const reached = new Set([path]);
  for (const forward of [true, false]) {
    let frontier = [path];
    const seen = new Set([path]);
    for (let d = 0; d < depth; d++) {
      const next: string[] = [];
      for (const [file, targets] of graph) {
        for (const f of frontier) {
          const hit = forward ? file === f : targets.has(f);
          const found = forward ? [...targets.keys()] : [file];
          if (!hit) continue;
          for (const x of found)
            if (!seen.has(x)) {
              seen.add(x);
              next.push(x);
            }
        }
      }
      for (const x of next) reached.add(x);
      frontier = next;
    }
  }
  return reached;
}

test('ctx_graph build counts files, symbols and import edges, per language, and the most imported files, as a text search finds them', async () => {
  const files = copyPackage('node_modules/rxjs/src', 'src');
  const oracle = textImportGraph(files);
  const srv = await startTestServer({
    files,
    tokens: [
      { id: 'alice', role: 'admin' },
      { id: 'grapher', scopes: ['graph'] },
    ],
  });
  try {
    const denied = await callTool(srv, 'grapher', { name: 'ctx_graph', arguments: { action: 'build' } });
    assert.equal(denied.status, 403);
    await built(srv);
    const text = await callToolText(srv, 'alice', 'ctx_graph', { action: 'build' });
    const edges = [...oracle.values()].reduce((sum, t) => sum + t.size, 0);
    const count = Object.keys(files).length;
    assert.match(
      text,
      new RegExp(
        `^Project Graph: ${count} files, [\\d,]+ symbols, ${edges.toLocaleString('en-US')} edges \\(imports between files; [\\d,]+ call sites\\)`,
      ),
    );
    const lines = Object.values(files).reduce((sum, t) => sum + t.split('\n').length, 0);
    const langLine = /^ {2}typescript: (\d+) files, ([\d,]+) lines$/m.exec(text);
    assert.equal(Number(langLine?.[1]), count, text);
    assert.ok(Math.abs(Number(langLine![2]!.replace(/,/g, '')) - lines) <= count, 'lines of every file');
    const fanIn = new Map<string, number>();
    for (const targets of oracle.values())
      for (const t of targets.keys()) fanIn.set(t, (fanIn.get(t) ?? 0) + 1);
    const top = [...fanIn].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10);
    const shown = [...text.matchAll(/^ {2}(\S+) \((\d+) importers?\)$/gm)].map((m) => [m[1], Number(m[2])]);
    assert.deepEqual(shown, top);
  } finally {
    await srv.close();
  }
});

test('a deps diagram draws real imports around a file, capped at 40 nodes with "+N more", and the alias answers the same', async () => {
  const files = copyPackage('node_modules/rxjs/src', 'src');
  const oracle = textImportGraph(files);
  const srv = await startTestServer({ files });
  try {
    await built(srv);
    for (const [file, depth] of [
      ['src/internal/operators/mergeMap.ts', 1],
      ['src/internal/Subscription.ts', 2],
    ] as const) {
      const text = await callToolText(srv, 'alice', 'ctx_graph', { action: 'diagram', path: file, depth });
      assert.equal(await callToolText(srv, 'alice', 'ctx_graph_diagram', { file, depth }), text);
      const { nodes, edges } = parseMermaid(text);
      const reach = reachBothWays(oracle, file, depth);
      const drawn = [...nodes].filter(([id]) => id !== 'more').map(([, label]) => label);
      assert.equal(drawn.length, Math.min(reach.size, 40));
      assert.ok(drawn.includes(file));
      for (const f of drawn) assert.ok(reach.has(f), `${f} is within ${depth} hops of ${file}`);
      // every edge is an import, and every import between drawn files is an edge
      const expected = drawn.flatMap((a) =>
        drawn.filter((b) => oracle.get(a)?.has(b)).map((b) => `${a} → ${b}`),
      );
      assert.deepEqual(edges.map(([a, b]) => `${a} → ${b}`).sort(), expected.sort());
      if (reach.size > 40) {
        assert.equal(nodes.get('more'), `+${reach.size - 40} more files`);
        assert.match(text, new RegExp(`\\(\\+${reach.size - 40} more not drawn\\)`));
      } else assert.ok(!nodes.has('more'));
    }
    assert.ok(
      parseMermaid(
        await callToolText(srv, 'alice', 'ctx_graph', {
          action: 'diagram',
          path: 'src/internal/Subscription.ts',
          depth: 2,
        }),
      ).nodes.has('more'),
      'the cap was exercised',
    );
    const noFile = await callTool(srv, 'alice', { name: 'ctx_graph_diagram', arguments: { kind: 'calls' } });
    const noFileBody = (await noFile.json()) as {
      result: { isError?: boolean; content: { text: string }[] };
    };
    assert.equal(noFileBody.result.isError, true);
    assert.match(noFileBody.result.content[0]!.text, /kind "calls" needs a file/);
    const dirs = parseMermaid(await callToolText(srv, 'alice', 'ctx_graph_diagram', {}));
    assert.ok([...dirs.nodes.values()].includes('src/internal/'));
  } finally {
    await srv.close();
  }
});

test('diagram labels are escaped, so a file name with quotes and brackets cannot break the Mermaid text; calls diagrams name file:line', async () => {
  const files = copyPackage('node_modules/tailwind-merge/src', 'src');
  files['src/we"ird <b>#1.ts'] = "import { twJoin } from './lib/tw-join';\nexport const w = twJoin('a');\n";
  const srv = await startTestServer({ files });
  try {
    await built(srv);
    const text = await callToolText(srv, 'alice', 'ctx_graph_diagram', {
      file: 'src/lib/tw-join.ts',
      depth: 1,
    });
    const { nodes } = parseMermaid(text);
    assert.ok([...nodes.values()].includes('src/we#34;ird #60;b#62;#35;1.ts'), text);
    const calls = await callToolText(srv, 'alice', 'ctx_graph_diagram', {
      file: 'src/lib/config-utils.ts',
      kind: 'calls',
      depth: 1,
    });
    const labels = [...parseMermaid(calls).nodes.values()];
    assert.ok(labels.includes('createConfigUtils src/lib/config-utils.ts:8'), calls);
    assert.ok(labels.includes('createLruCache src/lib/lru-cache.ts:9'), calls);
    const missing = await callTool(srv, 'alice', {
      name: 'ctx_graph_diagram',
      arguments: { file: 'src/lib/tw-jion.ts' },
    });
    const body = (await missing.json()) as { result: { isError?: boolean; content: { text: string }[] } };
    assert.match(body.result.content[0]!.text, /nearest paths: src\/lib\/tw-join\.ts/);
  } finally {
    await srv.close();
  }
});

test('context and enrich give a file its imports with lines, dependents, tests and commits; without git they say why', async () => {
  const srv = await startTestServer({
    files: {
      'src/money.ts':
        "import { z } from 'zod';\n\nexport const cents = (n: number) => z.number().parse(n) * 100;\n",
      'src/tax.ts': "import { cents } from './money';\n\nexport const tax = (n: number) => cents(n) / 5;\n",
      'test/tax.test.ts': "import { tax } from '../src/tax';\n\ntax(1);\n",
      'src/money.spec.ts': "import { cents } from './money';\n\ncents(1);\n",
    },
  });
  try {
    await built(srv);
    const plain = await callToolText(srv, 'alice', 'ctx_graph', { action: 'context', path: 'src/tax.ts' });
    assert.match(plain, /^src\/tax\.ts: typescript, \d+ lines, 1 symbols \(1 exported\)\n/);
    assert.match(plain, /^imports \(1 file\(s\)\):\n {2}src\/tax\.ts:1 → src\/money\.ts$/m);
    assert.match(plain, /^dependents \(1\):\n {2}test\/tax\.test\.ts:1$/m);
    assert.match(plain, /^tests \(1 within 2 hops\):\n {2}test\/tax\.test\.ts:1 \(1 hop\)$/m);
    assert.match(plain, /^commits: unavailable, the workspace is not a git repository/m);
    git(srv.root, 'init', '-q');
    git(srv.root, 'add', '.');
    git(srv.root, 'commit', '-q', '-m', 'money and tax');
    writeFileSync(join(srv.root, 'src/money.ts'), 'export const cents = (n: number) => n * 100;\n');
    git(srv.root, 'commit', '-q', '-am', 'drop zod from money');
    writeFileSync(join(srv.root, 'src/money.ts'), 'export const cents = (n: number) => n * 100 + 0;\n');
    const enrich = await callToolText(srv, 'alice', 'ctx_graph', { action: 'enrich', path: 'src/money.ts' });
    assert.match(
      enrich,
      /^src\/money\.ts: 2 test file\(s\) within 2 hops\n {2}src\/money\.spec\.ts:1 \(1 hop\)\n {2}test\/tax\.test\.ts:1 \(2 hops, via src\/tax\.ts\)\ncommits \(newest 2\):\n {2}[0-9a-f]{7,} \d{4}-\d\d-\d\d Ada: drop zod from money\n {2}[0-9a-f]{7,} \d{4}-\d\d-\d\d Ada: money and tax$/m,
    );
    await callToolText(srv, 'alice', 'ctx_knowledge', {
      action: 'remember',
      category: 'gotcha',
      key: 'money-rounding',
      value: 'src/money.ts rounds cents down; never pass floats',
    });
    await callToolText(srv, 'alice', 'ctx_knowledge', {
      action: 'remember',
      category: 'gotcha',
      key: 'tax-money',
      value: 'tax rates live in a table, not in money code',
    });
    const context = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'context',
      path: 'src/money.ts',
    });
    assert.match(
      context,
      /^knowledge \(1 fact\(s\) mention it\):\n {2}gotcha\/money-rounding: src\/money\.ts rounds cents down; never pass floats$/m,
    );
    assert.match(
      await callToolText(srv, 'alice', 'ctx_graph', { action: 'enrich', path: 'src/tax.ts' }),
      /^knowledge: no fact mentions this file$/m,
    );
    assert.match(
      context,
      /^src\/money\.ts: typescript, 1 lines, 1 symbols \(1 exported\), modified against HEAD$/m,
    );
    const whole = await callToolText(srv, 'alice', 'ctx_graph', { action: 'enrich' });
    assert.match(
      whole,
      /^2 test file\(s\); 2 of 2 other file\(s\) imported directly by a test\nmost changed \(commits of the last 2\):\n {2}src\/money\.ts \(2 commits\)\n/,
    );
  } finally {
    await srv.close();
  }
});
