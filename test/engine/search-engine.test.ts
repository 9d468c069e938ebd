import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createSearchEngine } from '../../src/engine/search/search-engine.ts';
import type { SearchRequest } from '../../src/engine/search/types.ts';
import { ToolError } from '../../src/errors.ts';
import { makeGitRepo } from '../helpers/git-repo.ts';

const request = (pattern: string, extra: Partial<SearchRequest> = {}): SearchRequest => ({
  pattern,
  path: '',
  exts: [],
  ignoreGitignore: false,
  maxHits: 1000,
  ...extra,
});

const paths = (hits: { path: string }[]) => [...new Set(hits.map((h) => h.path))];

const REPO = {
  '.gitignore': 'build/\n*.log\n!keep.log\n',
  'src/a.ts': 'const needle = 1;\n',
  'src/b.log': 'needle in a log\n',
  'src/keep.log': 'needle kept\n',
  'src/sub/.gitignore': 'local.ts\n',
  'src/sub/local.ts': 'needle local\n',
  'src/sub/shared.ts': 'needle shared\n',
  'build/out.js': 'needle built\n',
  'config/credentials.json': '{"needle": "secret"}\n',
  'certs/server.pem': 'needle pem\n',
  '.env.example': 'needle=example\n',
};

test('search skips gitignored files (nested rules and negation) on the cold and the warm path', async () => {
  const root = makeGitRepo(REPO);
  const engine = createSearchEngine(root);
  try {
    const expected = ['src/a.ts', 'src/keep.log', 'src/sub/shared.ts'];
    const cold = await engine.search(request('needle'));
    assert.equal(cold.via, 'ripgrep');
    assert.deepEqual(paths(cold.hits), expected);
    await engine.warm();
    const warm = await engine.search(request('needle'));
    assert.equal(warm.via, 'index');
    assert.deepEqual(paths(warm.hits), expected);
  } finally {
    engine.close();
  }
});

test('ignore_gitignore searches ignored files but still leaves secret files out', async () => {
  const root = makeGitRepo(REPO);
  const engine = createSearchEngine(root);
  try {
    const out = await engine.search(request('needle', { ignoreGitignore: true }));
    assert.deepEqual(paths(out.hits), [
      'build/out.js',
      'src/a.ts',
      'src/b.log',
      'src/keep.log',
      'src/sub/local.ts',
      'src/sub/shared.ts',
    ]);
    assert.equal(out.secretsSkipped, 2);
  } finally {
    engine.close();
  }
});

test('secret-looking files are never in the answer, and their count is reported', async () => {
  const root = makeGitRepo(REPO);
  const engine = createSearchEngine(root);
  try {
    const cold = await engine.search(request('needle'));
    await engine.warm();
    for (const out of [cold, await engine.search(request('needle'))]) {
      assert.ok(!out.hits.some((h) => h.path.endsWith('.pem') || h.path.includes('credentials')));
      assert.equal(out.secretsSkipped, 2, out.via);
    }
  } finally {
    engine.close();
  }
});

test('an edit after the index is warm shows up in the very next search', async () => {
  const root = makeGitRepo({ 'a.ts': 'alpha\n', 'b.ts': 'beta\n' });
  const engine = createSearchEngine(root);
  try {
    await engine.warm();
    assert.deepEqual(paths((await engine.search(request('gamma'))).hits), []);
    writeFileSync(join(root, 'b.ts'), 'beta\ngamma\n');
    const afterEdit = await engine.search(request('gamma'));
    assert.deepEqual(afterEdit.hits, [{ path: 'b.ts', line: 2, text: 'gamma' }]);
    await engine.warm();
    writeFileSync(join(root, 'c.ts'), 'gamma again\n');
    rmSync(join(root, 'b.ts'));
    assert.deepEqual(paths((await engine.search(request('gamma'))).hits), ['c.ts']);
    await engine.warm();
    const warm = await engine.search(request('gamma'));
    assert.equal(warm.via, 'index');
    assert.deepEqual(paths(warm.hits), ['c.ts']);
  } finally {
    engine.close();
  }
});

test('a bad regex is a ToolError that quotes the problem', async () => {
  const engine = createSearchEngine(makeGitRepo({ 'a.ts': 'x\n' }));
  try {
    await assert.rejects(engine.search(request('foo(')), (err: Error) => {
      assert.ok(err instanceof ToolError);
      assert.match(err.message, /invalid regex "foo\(".*missing closing \)/);
      return true;
    });
    await assert.rejects(engine.search(request('a\\nb')), /single lines/);
    await assert.rejects(engine.search(request('')), /pattern is empty/);
  } finally {
    engine.close();
  }
});

test('collection stops at maxHits on every path and says the answer is incomplete', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`f${String(i).padStart(2, '0')}.txt`] = 'hit\nhit\n';
  const root = makeGitRepo(files);
  const engine = createSearchEngine(root);
  try {
    const cold = await engine.search(request('hit', { maxHits: 7 }));
    await engine.warm();
    const warm = await engine.search(request('hit', { maxHits: 7 }));
    for (const out of [cold, warm]) {
      assert.equal(out.complete, false);
      assert.deepEqual(
        out.hits.map((h) => `${h.path}:${h.line}`),
        ['f00.txt:1', 'f00.txt:2', 'f01.txt:1', 'f01.txt:2', 'f02.txt:1', 'f02.txt:2', 'f03.txt:1'],
      );
    }
  } finally {
    engine.close();
  }
});

test('binary files (with a NUL byte) are skipped, as ripgrep skips them', async () => {
  const root = makeGitRepo({ 'bin.dat': 'needle\0rest\n', 'text.txt': 'needle\n' });
  const engine = createSearchEngine(root);
  try {
    assert.deepEqual(paths((await engine.search(request('needle'))).hits), ['text.txt']);
    await engine.warm();
    assert.deepEqual(paths((await engine.search(request('needle'))).hits), ['text.txt']);
  } finally {
    engine.close();
  }
});
