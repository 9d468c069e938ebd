import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildWholeGraph, copyPackage, textImportGraph } from '../../helpers/import-oracle.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

type Graph = Map<string, Map<string, number>>;

const built = (srv: RunningTestServer) =>
  buildWholeGraph((name, args) => callToolText(srv, 'alice', name, args));

const arch = async <T>(srv: RunningTestServer, args: Record<string, unknown>): Promise<T> =>
  JSON.parse(await callToolText(srv, 'alice', 'ctx_architecture', { ...args, format: 'json' })) as T;

/** Files reachable from `from` (not itself unless through a cycle). */
function reachable(graph: Graph, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(graph.get(from)?.keys() ?? [])];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...(graph.get(f)?.keys() ?? []));
  }
  return seen;
}

/** Import cycles by mutual reachability (quadratic, independent of Tarjan): sorted groups of 2+ files. */
function cyclesByReachability(graph: Graph): string[][] {
  const reach = new Map([...graph.keys()].map((f) => [f, reachable(graph, f)]));
  const groups = new Map<string, string[]>();
  for (const f of graph.keys()) {
    if (!reach.get(f)!.has(f)) continue;
    const group = [...reach.get(f)!].filter((g) => reach.get(g)!.has(f)).sort();
    groups.set(group.join('|'), group);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

const sortGroups = (groups: string[][]) => groups.map((g) => g.join('|')).sort();

test('cycles, layers, communities, clusters and health of rxjs are what an independent count of its imports gives', async () => {
  const files = copyPackage('node_modules/rxjs/src', 'src');
  const oracle = textImportGraph(files);
  const srv = await startTestServer({ files });
  try {
    await built(srv);
    // cycles: Tarjan against mutual reachability
    const { cycles, examples } = await arch<{ cycles: string[][]; examples: string[][] }>(srv, {
      action: 'cycles',
    });
    const expected = cyclesByReachability(oracle);
    assert.ok(expected.length >= 2, 'rxjs has import cycles');
    assert.deepEqual(sortGroups(cycles), sortGroups(expected));
    const text = await callToolText(srv, 'alice', 'ctx_architecture', { action: 'cycles' });
    assert.match(
      text,
      new RegExp(`^${expected.length} import cycle\\(s\\), ${expected.flat().length} of 251 files`),
    );
    examples.forEach((cycle, i) => {
      assert.equal(cycle[0], cycle.at(-1));
      for (let k = 0; k + 1 < cycle.length; k++) {
        const line = oracle.get(cycle[k]!)?.get(cycle[k + 1]!);
        assert.ok(line, `${cycle[k]} imports ${cycle[k + 1]}`);
        assert.ok(text.includes(`${cycle[k]}:${line} → `), `cycle ${i + 1} names ${cycle[k]}:${line}`);
      }
    });
    // layers: every import goes down a layer, except inside a cycle; each file sits one above its highest import
    const { layers } = await arch<{ layers: { layer: number; files: string[] }[] }>(srv, {
      action: 'layers',
    });
    const layerOf = new Map(layers.flatMap((l) => l.files.map((f) => [f, l.layer] as const)));
    assert.equal(layerOf.size, 251);
    const cycleOf = new Map(expected.flatMap((g) => g.map((f) => [f, g.join('|')] as const)));
    for (const [file, targets] of oracle) {
      const outside = [...targets.keys()].filter(
        (t) => !cycleOf.has(file) || cycleOf.get(t) !== cycleOf.get(file),
      );
      for (const t of outside) assert.ok(layerOf.get(file)! > layerOf.get(t)!, `${file} above ${t}`);
      if (!cycleOf.has(file)) {
        const want = outside.length === 0 ? 0 : 1 + Math.max(...outside.map((t) => layerOf.get(t)!));
        assert.equal(layerOf.get(file), want, file);
      }
    }
    // communities: a partition of the non-isolated files whose modularity we recompute
    const comm = await arch<{ communities: { files: string[] }[]; singletons: number; modularity: number }>(
      srv,
      {
        action: 'communities',
      },
    );
    const member = new Map(comm.communities.flatMap((c, i) => c.files.map((f) => [f, i] as const)));
    assert.equal(member.size + comm.singletons, 251);
    let m = 0;
    const internal = new Map<number, number>();
    const degree = new Map<number, number>();
    const label = (f: string) => member.get(f) ?? -1 - [...oracle.keys()].indexOf(f);
    for (const [a, targets] of oracle) {
      for (const b of targets.keys()) {
        m++;
        if (label(a) === label(b)) internal.set(label(a), (internal.get(label(a)) ?? 0) + 1);
        degree.set(label(a), (degree.get(label(a)) ?? 0) + 1);
        degree.set(label(b), (degree.get(label(b)) ?? 0) + 1);
      }
    }
    let q = 0;
    for (const [c, d] of degree) q += (internal.get(c) ?? 0) / m - (d / (2 * m)) ** 2;
    assert.ok(Math.abs(q - comm.modularity) < 1e-9, `modularity ${comm.modularity} = ${q}`);
    assert.ok(comm.modularity > 0.2, 'communities better than one lump');
    // clusters: files and imports per directory
    const { depth, clusters } = await arch<{
      depth: number;
      clusters: { directory: string; files: number; internal: number; outgoing: number; incoming: number }[];
    }>(srv, { action: 'clusters' });
    const dirOf = (p: string) => p.split('/').slice(0, -1).slice(0, depth).join('/') || '.';
    for (const c of clusters) {
      const inside = [...oracle.keys()].filter((f) => dirOf(f) === c.directory);
      const edges = [...oracle].flatMap(([a, t]) => [...t.keys()].map((b) => [dirOf(a), dirOf(b)]));
      assert.equal(c.files, inside.length, c.directory);
      assert.equal(c.internal, edges.filter(([a, b]) => a === c.directory && b === c.directory).length);
      assert.equal(c.outgoing, edges.filter(([a, b]) => a === c.directory && b !== c.directory).length);
      assert.equal(c.incoming, edges.filter(([a, b]) => a !== c.directory && b === c.directory).length);
    }
    assert.ok(clusters.length > 5 && clusters.length <= 40);
    // health: the figures behind it
    const health = await arch<Record<string, unknown>>(srv, { action: 'health' });
    const fanIn = new Map<string, number>();
    for (const t of oracle.values()) for (const f of t.keys()) fanIn.set(f, (fanIn.get(f) ?? 0) + 1);
    const [topFile, topCount] = [...fanIn].sort((a, b) => b[1] - a[1])[0]!;
    const isolated = [...oracle].filter(([f, t]) => t.size === 0 && !fanIn.has(f)).length;
    assert.deepEqual(
      {
        files: health.files,
        imports: health.imports,
        cycles: health.cycles,
        filesInCycles: health.filesInCycles,
        layers: health.layers,
        orphans: health.orphans,
        maxFanIn: health.maxFanIn,
      },
      {
        files: 251,
        imports: [...oracle.values()].reduce((s, t) => s + t.size, 0),
        cycles: expected.length,
        filesInCycles: expected.flat().length,
        layers: Math.max(...layerOf.values()) + 1,
        orphans: isolated,
        maxFanIn: { path: topFile, count: topCount },
      },
    );
  } finally {
    await srv.close();
  }
});

test('module lists the imports into and out of a directory with their lines; a path narrows the other actions', async () => {
  const files = copyPackage('node_modules/rxjs/src', 'src');
  const oracle = textImportGraph(files);
  const srv = await startTestServer({ files });
  try {
    await built(srv);
    const dir = 'src/internal/scheduler';
    const inside = (p: string) => p.startsWith(`${dir}/`);
    const edges = [...oracle].flatMap(([a, t]) => [...t].map(([b, line]) => ({ a, b, line })));
    const m = await arch<{ incoming: [string, string][]; outgoing: [string, string][]; internal: number }>(
      srv,
      {
        action: 'module',
        path: dir,
      },
    );
    const key = (pairs: [string, string][]) => pairs.map(([a, b]) => `${a}>${b}`).sort();
    assert.deepEqual(
      key(m.incoming),
      edges
        .filter((e) => !inside(e.a) && inside(e.b))
        .map((e) => `${e.a}>${e.b}`)
        .sort(),
    );
    assert.deepEqual(
      key(m.outgoing),
      edges
        .filter((e) => inside(e.a) && !inside(e.b))
        .map((e) => `${e.a}>${e.b}`)
        .sort(),
    );
    assert.equal(m.internal, edges.filter((e) => inside(e.a) && inside(e.b)).length);
    const text = await callToolText(srv, 'alice', 'ctx_architecture', { action: 'module', path: dir });
    const listed = [...text.matchAll(/^ {2}(\S+):(\d+) → (\S+)$/gm)];
    assert.ok(listed.length >= 30);
    for (const [, a, line, b] of listed)
      assert.equal(oracle.get(a!)?.get(b!), Number(line), `${a}:${line} → ${b}`);
    const narrowed = await arch<{ cycles: string[][] }>(srv, { action: 'cycles', path: dir });
    assert.deepEqual(sortGroups(narrowed.cycles), [
      'src/internal/scheduler/AsyncAction.ts|src/internal/scheduler/AsyncScheduler.ts',
    ]);
    assert.match(
      await callToolText(srv, 'alice', 'ctx_architecture', { action: 'cycles', path: dir }),
      /^\[inside src\/internal\/scheduler\/\] 1 import cycle/,
    );
    const near = await callTool(srv, 'alice', {
      name: 'ctx_architecture',
      arguments: { action: 'module', path: 'src/internal/schedulr' },
    });
    const body = (await near.json()) as { result: { isError?: boolean; content: { text: string }[] } };
    assert.equal(body.result.isError, true);
    assert.match(
      body.result.content[0]!.text,
      /no indexed file under "src\/internal\/schedulr\/"; nearest directories: src\/internal\/scheduler/,
    );
    const overview = await callToolText(srv, 'alice', 'ctx_architecture', {});
    assert.match(overview, /^251 files, [\d,]+ imports, \d+ layers, \d+ import cycle\(s\) with \d+ files\n/);
    assert.match(overview, /tok saved/);
  } finally {
    await srv.close();
  }
});

test('entrypoints and hotspots: package.json bin and main, and fan-in × commits × lines from git', async () => {
  const srv = await startTestServer({
    files: {
      'package.json': JSON.stringify({ name: 'shop', main: 'src/index.ts', bin: { shop: 'bin/shop.js' } }),
      'src/index.ts': "import { total } from './cart';\nexport { total };\n",
      'src/cart.ts': "import { price } from './price';\n\nexport const total = () => price(1) + price(2);\n",
      'src/price.ts': 'export const price = (n: number) => n;\n',
      'src/report.ts':
        "import { price } from './price';\nimport { total } from './cart';\n\nexport const r = [price(3), total()];\n",
      'test/cart.test.ts': "import { total } from '../src/cart';\n\ntotal();\n",
    },
  });
  try {
    await built(srv);
    const e = await callToolText(srv, 'alice', 'ctx_architecture', { action: 'entrypoints' });
    assert.match(
      e,
      /^2 file\(s\) nothing imports that import others \(plus 1 test file\(s\)\):\n {2}src\/report\.ts \(imports 2\)\n {2}src\/index\.ts \(imports 1\)\npackage\.json entries:\n {2}package\.json main: src\/index\.ts\n {2}package\.json bin\.shop: bin\/shop\.js \(not in the code graph\)$/m,
    );
    const plain = await callToolText(srv, 'alice', 'ctx_architecture', { action: 'hotspots' });
    assert.match(plain, /score = fan-in × lines \(no commit counts: the workspace is not a git repository/);
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: srv.root,
      });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'one');
    for (const i of [1, 2]) {
      appendFileSync(join(srv.root, 'src/price.ts'), `// ${i}\n`);
      git('commit', '-q', '-am', `price ${i}`);
    }
    const { hotspots } = await arch<{
      hotspots: { path: string; score: number; fanIn: number; commits: number; lines: number }[];
    }>(srv, { action: 'hotspots' });
    const price = hotspots.find((h) => h.path === 'src/price.ts')!;
    assert.deepEqual([price.fanIn, price.commits], [2, 3]);
    assert.equal(price.score, price.fanIn * price.commits * price.lines);
    assert.equal(hotspots[0]!.path, 'src/price.ts');
    assert.deepEqual(
      hotspots.map((h) => h.path),
      ['src/price.ts', 'src/cart.ts'],
      'files nothing imports are no hotspot',
    );
    assert.match(
      await callToolText(srv, 'alice', 'ctx_architecture', { action: 'hotspots' }),
      /score = fan-in × commits \(of the last 3\) × lines:\n {2}src\/price\.ts: \d+ = 2 importers × 3 commits × \d+ lines/,
    );
  } finally {
    await srv.close();
  }
});
