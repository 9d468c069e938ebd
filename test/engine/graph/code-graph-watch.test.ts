import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CodeGraphOptions, createCodeGraph } from '../../../src/engine/graph/code-graph.ts';
import { createSqliteGraphStore } from '../../../src/store/sqlite/graph-store.ts';
import { formatGraphStatus } from '../../../src/tools/graph/ctx-index.ts';

/** rxjs's sources (real code nobody here wrote) in a temp workspace, with an ignored node_modules. */
function workspace() {
  const root = mkdtempSync(join(tmpdir(), 'leanctx-graph-watch-'));
  cpSync('node_modules/rxjs/src/internal/scheduler', join(root, 'src/scheduler'), { recursive: true });
  mkdirSync(join(root, 'node_modules/dep/lib'), { recursive: true });
  writeFileSync(join(root, 'node_modules/dep/lib/index.ts'), 'export function fromDep() {}\n');
  writeFileSync(join(root, '.gitignore'), 'node_modules/\n');
  return root;
}

function open(root: string, extra: Partial<CodeGraphOptions> = {}) {
  const data = mkdtempSync(join(tmpdir(), 'leanctx-data-'));
  return createCodeGraph(root, { store: createSqliteGraphStore(join(data, 'graph.sqlite')), ...extra });
}

const pathsOf = (graph: ReturnType<typeof open>, name: string) =>
  graph.store.symbolsNamed(name).map((s) => s.path);

test('after the first sweep, edits, adds, renames and deletes reach the next query without another sweep', async () => {
  const root = workspace();
  const graph = open(root);
  try {
    let progress = await graph.refresh(120_000);
    assert.equal(progress.sweeps, 1);
    assert.ok(graph.store.symbolsNamed('AsyncAction').length > 0);
    // src, src/scheduler and the root; node_modules is ignored and not watched
    assert.equal(progress.watchedDirs, 3);

    appendFileSync(join(root, 'src/scheduler/AsyncAction.ts'), '\nexport function addedByEdit() {}\n');
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'addedByEdit'), ['src/scheduler/AsyncAction.ts']);

    writeFileSync(
      join(root, 'src/fresh.ts'),
      "import { AsyncAction } from './scheduler/AsyncAction';\nexport function fresh() {}\n",
    );
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'fresh'), ['src/fresh.ts']);
    assert.deepEqual(
      graph.store.importsOf('src/fresh.ts').map((i) => i.target),
      ['src/scheduler/AsyncAction.ts'],
    );

    renameSync(join(root, 'src/fresh.ts'), join(root, 'src/renamed.ts'));
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'fresh'), ['src/renamed.ts']);
    assert.equal(graph.store.file('src/fresh.ts'), undefined);

    rmSync(join(root, 'src/renamed.ts'));
    progress = await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'fresh'), []);
    assert.equal(progress.sweeps, 1, 'every change came from the watches');
  } finally {
    graph.close();
  }
});

test('a directory created, renamed or removed after the first sweep is followed, its new subdirectories watched', async () => {
  const root = workspace();
  const graph = open(root);
  try {
    await graph.refresh(120_000);
    mkdirSync(join(root, 'src/feature/deep'), { recursive: true });
    writeFileSync(join(root, 'src/feature/deep/one.ts'), 'export function one() {}\n');
    let progress = await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'one'), ['src/feature/deep/one.ts']);
    assert.equal(progress.watchedDirs, 5);

    // written inside the new directory: only its own watch sees this
    writeFileSync(join(root, 'src/feature/deep/two.ts'), 'export function two() {}\n');
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'two'), ['src/feature/deep/two.ts']);

    renameSync(join(root, 'src/feature'), join(root, 'src/moved'));
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'two'), ['src/moved/deep/two.ts']);
    writeFileSync(join(root, 'src/moved/deep/three.ts'), 'export function three() {}\n');
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'three'), ['src/moved/deep/three.ts']);

    rmSync(join(root, 'src/moved'), { recursive: true });
    progress = await graph.refresh(120_000);
    assert.deepEqual([...pathsOf(graph, 'one'), ...pathsOf(graph, 'two'), ...pathsOf(graph, 'three')], []);
    assert.equal(progress.watchedDirs, 3);
    assert.equal(progress.sweeps, 1);
  } finally {
    graph.close();
  }
});

test('an ignored directory stays out of the graph, and a changed .gitignore brings in what it stops ignoring', async () => {
  const root = workspace();
  const graph = open(root);
  try {
    await graph.refresh(120_000);
    writeFileSync(join(root, 'node_modules/dep/lib/index.ts'), 'export function fromDepEdited() {}\n');
    await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'fromDepEdited'), []);

    writeFileSync(join(root, '.gitignore'), '');
    const progress = await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'fromDepEdited'), ['node_modules/dep/lib/index.ts']);
    assert.equal(progress.sweeps, 2, 'a new ignore rule takes a full sweep');
  } finally {
    graph.close();
  }
});

test('past the watch bound every query sweeps, status says why, and edits still show', async () => {
  const root = workspace();
  const graph = open(root, { maxWatchedDirs: 2 });
  try {
    let progress = await graph.refresh(120_000);
    assert.equal(progress.watchedDirs, 0);
    assert.match(
      formatGraphStatus(progress, graph.store.counts),
      /\nChanges: found by a stat sweep of every file per query \(more than 2 directories to watch\)$/,
    );
    appendFileSync(join(root, 'src/scheduler/AsyncAction.ts'), '\nexport function seenBySweep() {}\n');
    progress = await graph.refresh(120_000);
    assert.deepEqual(pathsOf(graph, 'seenBySweep'), ['src/scheduler/AsyncAction.ts']);
    assert.equal(progress.sweeps, 2);
  } finally {
    graph.close();
  }
});

test('status names the watched directories', async () => {
  const root = workspace();
  const graph = open(root);
  try {
    const progress = await graph.refresh(120_000);
    assert.match(formatGraphStatus(progress, graph.store.counts), /\nChanges: 3 directories watched$/);
  } finally {
    graph.close();
  }
});
