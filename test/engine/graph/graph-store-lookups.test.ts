import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { IndexedFile } from '../../../src/store/graph.ts';
import { createSqliteGraphStore } from '../../../src/store/sqlite/graph-store.ts';

/** One file's rows: `calls` call sites of `f`, and imports as given (names bound, or none). */
function indexed(
  path: string,
  calls: number,
  imports: { specifier: string; names: string[] }[],
): IndexedFile {
  return {
    file: {
      path,
      hash: `h-${path}`,
      language: 'typescript',
      lines: 10,
      tokens: null,
      size: 1,
      mtimeMs: 1,
      parser: 'tree-sitter',
    },
    symbols: [
      {
        path,
        name: 'f',
        qualified: 'f',
        kind: 'function',
        signature: 'f()',
        startLine: 1,
        endLine: 2,
        exported: true,
      },
    ],
    imports: imports.map((i) => ({ from: path, ...i, aliases: {}, reexports: {}, target: null })),
    calls: Array.from({ length: calls }, (_, k) => ({
      path,
      line: k + 3,
      caller: null,
      callee: 'f',
      receiver: '',
    })),
  };
}

test('the graph counts follow every write, this connection’s and another’s, while answers between writes reuse them', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'leanctx-graph-store-')), 'graph.sqlite');
  const store = createSqliteGraphStore(file);
  const other = createSqliteGraphStore(file);
  try {
    assert.deepEqual(store.counts(), { files: 0, symbols: 0, imports: 0, calls: 0, regexFiles: 0 });
    store.put([indexed('a.ts', 3, [{ specifier: './b', names: ['g'] }])]);
    assert.deepEqual(store.counts(), { files: 1, symbols: 1, imports: 1, calls: 3, regexFiles: 0 });
    assert.equal(store.fileCount(), 1);
    // a copy, not the kept figures: a caller changing it changes nothing
    const seen = store.counts();
    seen.calls = 99;
    assert.equal(store.counts().calls, 3);

    // another connection to the same file (a CLI build beside a server) commits: seen at once
    other.put([indexed('b.ts', 2, [])]);
    assert.deepEqual(store.counts(), { files: 2, symbols: 2, imports: 1, calls: 5, regexFiles: 0 });
    assert.equal(store.fileCount(), 2);

    store.delete(['a.ts']);
    assert.deepEqual(store.counts(), { files: 1, symbols: 1, imports: 0, calls: 2, regexFiles: 0 });
    store.clear();
    assert.deepEqual(store.counts(), { files: 0, symbols: 0, imports: 0, calls: 0, regexFiles: 0 });
    assert.equal(store.fileCount(), 0);
  } finally {
    other.close();
    store.close();
  }
});

test('bindingsIn gives the imports binding any of the names asked for, of exactly the files asked for, each file’s in the order written', () => {
  const store = createSqliteGraphStore(':memory:');
  try {
    store.put([
      indexed('a.ts', 1, [
        { specifier: './x', names: ['x', 'f'] },
        { specifier: './side-effect', names: [] },
        { specifier: './y', names: ['f'] },
        { specifier: './w', names: ['ff', 'w'] },
        { specifier: './q', names: ['"f"'] },
      ]),
      indexed('b.c', 1, [{ specifier: 'b.h', names: [] }]),
      indexed('c.ts', 1, [{ specifier: './z', names: ['z', 'f'] }]),
    ]);
    const got = (names: string[], paths = ['a.ts', 'b.c', 'missing.ts']) =>
      store.bindingsIn(paths, names).map((i) => [i.from, i.specifier]);
    assert.deepEqual(got(['f']), [
      ['a.ts', './x'],
      ['a.ts', './y'],
    ]);
    // a name is matched whole, quotes and all: `ff` and `"f"` are not `f`, nor `f` them
    assert.deepEqual(got(['w', '"f"']), [
      ['a.ts', './w'],
      ['a.ts', './q'],
    ]);
    assert.deepEqual(got(['x', 'z'], ['a.ts', 'c.ts']), [
      ['a.ts', './x'],
      ['c.ts', './z'],
    ]);
    // the same rows importsOf gives, less those binding none of the names
    assert.deepEqual(
      store.bindingsIn(['a.ts'], ['f', 'w']),
      store.importsOf('a.ts').filter((i) => i.names.some((n) => n === 'f' || n === 'w')),
    );
    assert.deepEqual(store.bindingsIn([], ['f']), []);
    assert.deepEqual(store.bindingsIn(['a.ts'], []), []);
  } finally {
    store.close();
  }
});

test('renamingImportsTo gives only the imports of a file that rename or re-export, by importer then as written; fileTokens the stored counts in one lookup', () => {
  const store = createSqliteGraphStore(':memory:');
  try {
    const file = (path: string, imports: IndexedFile['imports']): IndexedFile => ({
      ...indexed(path, 0, []),
      imports,
    });
    const imp = (from: string, target: string, aliases = {}, reexports = {}) => ({
      from,
      specifier: `./${target}`,
      names: Object.keys(aliases),
      aliases,
      reexports,
      target,
    });
    store.put([
      file('z.ts', [imp('z.ts', 'lib.ts', { g: 'f' })]),
      file('a.ts', [
        imp('a.ts', 'lib.ts'),
        imp('a.ts', 'lib.ts', {}, { '*': '*' }),
        imp('a.ts', 'other.ts', { h: 'f' }),
        imp('a.ts', 'lib.ts', {}, { k: 'f' }),
      ]),
      file('lib.ts', []),
    ]);
    assert.deepEqual(
      store.renamingImportsTo('lib.ts').map((i) => [i.from, { ...i.aliases }, { ...i.reexports }]),
      [
        ['a.ts', {}, { '*': '*' }],
        ['a.ts', {}, { k: 'f' }],
        ['z.ts', { g: 'f' }, {}],
      ],
    );
    assert.deepEqual(store.renamingImportsTo('nowhere.ts'), []);

    store.setTokens([{ path: 'a.ts', hash: 'h-a.ts', tokens: 12 }]);
    assert.deepEqual(
      store.fileTokens(['a.ts', 'z.ts', 'missing.ts']),
      new Map<string, number | null>([
        ['a.ts', 12],
        ['z.ts', null],
      ]),
    );
  } finally {
    store.close();
  }
});
