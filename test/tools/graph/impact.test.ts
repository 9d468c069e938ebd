import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeGitRepo } from '../../helpers/git-repo.ts';
import {
  buildWholeGraph,
  chainLengthByText,
  copyPackage,
  dependentsByText,
  textImportGraph,
} from '../../helpers/import-oracle.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

/** A build first: a cold worker pool on a loaded machine may take longer than a query waits. */
const built = (srv: RunningTestServer, as = 'alice') =>
  buildWholeGraph((name, args) => callToolText(srv, as, name, args));

/** `  path:line (N hops…)` lines of an analyze answer → path → hops, and path → line. */
function parseImpact(text: string) {
  const hops = new Map<string, number>();
  const lines = new Map<string, number>();
  for (const m of text.matchAll(/^ {2}([^\s:]+)(?::(\d+))? \((\d+) hops?/gm)) {
    hops.set(m[1]!, Number(m[3]));
    if (m[2]) lines.set(m[1]!, Number(m[2]));
  }
  return { hops, lines };
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd });

async function errorText(res: Response): Promise<string> {
  const body = (await res.json()) as { result: { isError?: boolean; content: { text: string }[] } };
  assert.equal(body.result.isError, true);
  return body.result.content[0]!.text;
}

test('ctx_callgraph answers what ctx_callers and ctx_callees answer, callers by default', async () => {
  const srv = await startTestServer({ files: copyPackage('node_modules/tailwind-merge/src', 'src') });
  try {
    await built(srv);
    for (const symbol of ['createLruCache', 'mergeClassList', 'createConfigUtils']) {
      const callers = await callToolText(srv, 'alice', 'ctx_callers', { symbol });
      assert.equal(await callToolText(srv, 'alice', 'ctx_callgraph', { symbol }), callers);
      assert.match(callers, /^\d+ caller\(s\) of /);
      const callees = await callToolText(srv, 'alice', 'ctx_callees', { symbol });
      assert.equal(
        await callToolText(srv, 'alice', 'ctx_callgraph', { symbol, direction: 'callees' }),
        callees,
      );
    }
    const res = await callTool(srv, 'alice', {
      name: 'ctx_callgraph',
      arguments: { symbol: 'createLruCach' },
    });
    assert.match(await errorText(res), /nearest names: createLruCache/);
  } finally {
    await srv.close();
  }
});

test('analyze lists the files that depend on an rxjs file with their hops and importing line, as a text search of the imports finds them', async () => {
  const files = copyPackage('node_modules/rxjs/src', 'src');
  const oracle = textImportGraph(files);
  const srv = await startTestServer({ files });
  try {
    await built(srv);
    let checked = 0;
    for (const [target, depth] of [
      ['src/internal/util/isFunction.ts', 1],
      ['src/internal/util/isFunction.ts', 3],
      ['src/internal/Subscription.ts', 2],
      ['src/internal/scheduler/AsyncAction.ts', 5],
    ] as const) {
      const expected = dependentsByText(oracle, target, depth);
      assert.ok(expected.size > 0, `${target} has dependents`);
      const text = await callToolText(srv, 'alice', 'ctx_impact', { path: target, depth });
      const { hops, lines } = parseImpact(text);
      const shown = Math.min(expected.size, 200);
      assert.match(text, new RegExp(`^${expected.size} file\\(s\\) depend on ${target} within ${depth} hop`));
      assert.equal(hops.size, shown, text);
      for (const [file, d] of hops) assert.equal(expected.get(file), d, `${file} at ${d} hops`);
      // the line named imports a file one hop nearer the target
      for (const [file, line] of lines) {
        const imported = [...(oracle.get(file) ?? [])].filter(([, l]) => l === line).map(([t]) => t);
        assert.ok(
          imported.some((t) => t === target || expected.get(t) === hops.get(file)! - 1),
          `${file}:${line} imports a file on the way to ${target}`,
        );
        checked++;
      }
      assert.match(text, /tok saved/);
    }
    assert.ok(checked > 50, `checked ${checked} importing lines`);
    const json = JSON.parse(
      await callToolText(srv, 'alice', 'ctx_impact', {
        path: 'src/internal/util/isFunction.ts',
        depth: 1,
        format: 'json',
      }),
    ) as { total: number; files: { path: string; hops: number; line?: number }[] };
    assert.equal(json.total, dependentsByText(oracle, 'src/internal/util/isFunction.ts', 1).size);
    assert.ok(json.files.every((f) => f.hops === 1 && typeof f.line === 'number'));
  } finally {
    await srv.close();
  }
});

test('chain finds a shortest import chain whose every step is a real import, and says why when there is none', async () => {
  const files = copyPackage('node_modules/rxjs/src', 'src');
  const oracle = textImportGraph(files);
  const srv = await startTestServer({ files });
  try {
    await built(srv);
    for (const [from, to] of [
      ['src/index.ts', 'src/internal/util/isFunction.ts'],
      ['src/internal/operators/mergeMap.ts', 'src/internal/Subscription.ts'],
      ['src/ajax/index.ts', 'src/internal/Observable.ts'],
    ] as const) {
      const text = await callToolText(srv, 'alice', 'ctx_impact', {
        action: 'chain',
        path: `${from}->${to}`,
      });
      const steps = [...text.matchAll(/^ {2}(\S+?):(\d+) → (\S+)$/gm)];
      assert.equal(steps.length, chainLengthByText(oracle, from, to), text);
      assert.match(text, new RegExp(`^${from} depends on ${to} in ${steps.length} hop`));
      let at: string = from;
      for (const [, file, line, next] of steps) {
        assert.equal(file, at);
        assert.equal(oracle.get(file!)?.get(next!), Number(line), `${file}:${line} imports ${next}`);
        at = next!;
      }
      assert.equal(at, to);
    }
    const none = await callToolText(srv, 'alice', 'ctx_impact', {
      action: 'chain',
      path: 'src/internal/util/isFunction.ts -> src/index.ts',
    });
    assert.match(
      none,
      /^no import chain from src\/internal\/util\/isFunction\.ts to src\/index\.ts: src\/internal\/util\/isFunction\.ts imports no workspace file\nthe other way, src\/index\.ts depends on src\/internal\/util\/isFunction\.ts in \d+ hops?:/,
    );
    const bad = await callTool(srv, 'alice', {
      name: 'ctx_impact',
      arguments: { action: 'chain', path: 'src/index.ts' },
    });
    assert.match(await errorText(bad), /needs path as `from->to`/);
    const unknown = await callTool(srv, 'alice', {
      name: 'ctx_impact',
      arguments: { path: 'src/internal/Observabel.ts' },
    });
    assert.match(await errorText(unknown), /nearest paths: src\/internal\/Observable\.ts/);
  } finally {
    await srv.close();
  }
});

test('diff gives the impact of each file changed against HEAD: unstaged, staged, untracked and deleted', async () => {
  const srv = await startTestServer({
    files: {
      'lib/money.ts': 'export const cents = (n: number) => n * 100;\n',
      'lib/tax.ts': "import { cents } from './money';\n\nexport const tax = (n: number) => cents(n) / 5;\n",
      'app/checkout.ts': "import { tax } from '../lib/tax';\n\nexport const total = tax(3);\n",
      'app/old.ts': 'export const old = 1;\n',
      'README.md': '# shop\n',
    },
  });
  try {
    const plain = await callTool(srv, 'alice', { name: 'ctx_impact', arguments: { action: 'diff' } });
    assert.match(
      await errorText(plain),
      /^ERROR: action "diff" needs git: the workspace is not a git repository .*; use action "analyze"/,
    );
    await built(srv);
    git(srv.root, 'init', '-q');
    git(srv.root, 'add', '.');
    git(srv.root, 'commit', '-q', '-m', 'first');
    assert.match(
      await callToolText(srv, 'alice', 'ctx_impact', { action: 'diff' }),
      /^no changes against HEAD/,
    );
    writeFileSync(join(srv.root, 'lib/money.ts'), 'export const cents = (n: number) => n * 100 + 0;\n');
    writeFileSync(join(srv.root, 'README.md'), '# shop!\n');
    git(srv.root, 'add', 'README.md');
    writeFileSync(
      join(srv.root, 'app/new.ts'),
      "import { total } from './checkout';\n\nexport const t = total;\n",
    );
    rmSync(join(srv.root, 'app/old.ts'));
    // Under load the update may outlast the answer budget: such an answer says so ("build
    // running"); ask again until the graph has caught up with the new file.
    let text = await callToolText(srv, 'alice', 'ctx_impact', { action: 'diff' });
    for (let i = 0; i < 60 && /build running/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 500));
      text = await callToolText(srv, 'alice', 'ctx_impact', { action: 'diff' });
    }
    assert.match(
      text,
      /^4 changed file\(s\) against HEAD \(staged, unstaged, untracked\); 2 other file\(s\) affected/,
    );
    assert.match(text, /^README\.md \(modified\): not in the code graph$/m);
    assert.match(text, /^app\/new\.ts \(added\): 0 dependent file\(s\)$/m);
    assert.match(text, /^app\/old\.ts \(deleted\): no file imports it$/m);
    assert.match(
      text,
      /^lib\/money\.ts \(modified\): 3 dependent file\(s\)\n {2}lib\/tax\.ts:1 \(1 hop\)\n {2}app\/checkout\.ts:1 \(2 hops, via lib\/tax\.ts\)\n {2}app\/new\.ts:1 \(3 hops, via app\/checkout\.ts\)$/m,
    );
    const json = JSON.parse(
      await callToolText(srv, 'alice', 'ctx_impact', { action: 'diff', format: 'json' }),
    ) as {
      changed: { path: string; status: string }[];
      affected: number;
    };
    assert.deepEqual(
      json.changed.map((c) => `${c.status} ${c.path}`),
      ['modified README.md', 'added app/new.ts', 'deleted app/old.ts', 'modified lib/money.ts'],
    );
    assert.equal(json.affected, 2);
    rmSync(join(srv.root, 'lib/tax.ts'));
    const gone = await callToolText(srv, 'alice', 'ctx_impact', { action: 'diff' });
    assert.match(
      gone,
      /^lib\/tax\.ts \(deleted\): 1 file\(s\) still import it \(now unresolved\), 2 dependent file\(s\)\n {2}app\/checkout\.ts:1 \(1 hop\)\n {2}app\/new\.ts:1 \(2 hops, via app\/checkout\.ts\)$/m,
    );
  } finally {
    await srv.close();
  }
});

test('build and update need the index scope; status and analyze need only graph', async () => {
  const srv = await startTestServer({
    files: {
      'a.ts': "import { b } from './b';\nexport const a = b;\n",
      'b.ts': 'export const b = 1;\n',
    },
    tokens: [
      { id: 'grapher', scopes: ['graph'] },
      { id: 'builder', scopes: ['graph', 'index'] },
    ],
  });
  try {
    await built(srv, 'builder');
    assert.match(
      await callToolText(srv, 'grapher', 'ctx_impact', { action: 'status' }),
      /^Code graph: 2 files/,
    );
    assert.match(
      await callToolText(srv, 'grapher', 'ctx_impact', { path: 'b.ts' }),
      /^ {2}a\.ts:1 \(1 hop\)$/m,
    );
    for (const action of ['build', 'update']) {
      const denied = await callTool(srv, 'grapher', { name: 'ctx_impact', arguments: { action } });
      assert.equal(denied.status, 403);
    }
    assert.match(
      await callToolText(srv, 'builder', 'ctx_impact', { action: 'build' }),
      /^build: 2 file\(s\) parsed in \d+ ms\nCode graph: 2 files/,
    );
    assert.match(
      await callToolText(srv, 'builder', 'ctx_impact', { action: 'update' }),
      /^update: 0 file\(s\) parsed/,
    );
  } finally {
    await srv.close();
  }
});

test('diff in a workspace that is a subdirectory of a repository: paths relative to the workspace, changes outside it left out', async () => {
  const repo = makeGitRepo({
    'pkg/lib/a.ts': 'export const a = 1;\n',
    'pkg/b.ts': "import { a } from './lib/a';\nexport const b = a;\n",
    'other/x.ts': 'export const x = 1;\n',
  });
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'first');
  writeFileSync(join(repo, 'pkg/lib/a.ts'), 'export const a = 2;\n');
  writeFileSync(join(repo, 'other/x.ts'), 'export const x = 2;\n');
  writeFileSync(join(repo, 'other/y.ts'), 'export const y = 2;\n');
  const srv = await startTestServer({ files: {}, workspace: { root: join(repo, 'pkg') } });
  try {
    await built(srv);
    assert.match(
      await callToolText(srv, 'alice', 'ctx_impact', { action: 'diff' }),
      /^1 changed file\(s\) against HEAD \(staged, unstaged, untracked\); 1 other file\(s\) affected within 5 hops:\nlib\/a\.ts \(modified\): 1 dependent file\(s\)\n {2}b\.ts:1 \(1 hop\)\n\[indexed 2 \/ 2 files\]/,
    );
    assert.match(
      await callToolText(srv, 'alice', 'ctx_graph', { action: 'context', path: 'lib/a.ts' }),
      /, modified against HEAD\n[\s\S]*commits \(newest 1\):\n {2}[0-9a-f]+ \S+ t: first/,
    );
  } finally {
    await srv.close();
  }
});
