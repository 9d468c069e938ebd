import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeGitRepo } from '../../helpers/git-repo.ts';
import { createDirectTools } from '../../helpers/tool-context.ts';

test('ctx_tree shows directories with file counts, folds deeper levels, and skips ignored and hidden files', async () => {
  const tools = createDirectTools(
    makeGitRepo({
      '.gitignore': 'out/\n',
      'out/x.js': '',
      '.hidden/y': '',
      'src/a.ts': '',
      'src/lib/b.ts': '',
      'src/lib/deep/c.ts': '',
      'README.md': '',
    }),
  );
  try {
    const text = await tools.text('ctx_tree', { depth: 2 });
    assert.equal(
      text.split('\n').slice(0, -1).join('\n'),
      ['./ (4 files)', '  src/ (3)', '    lib/ (2)', '    a.ts', '  README.md'].join('\n'),
    );
    assert.match(
      await tools.text('ctx_tree', { path: 'src/lib' }),
      /^src\/lib\/ \(2 files\)\n {2}deep\/ \(1\)\n {4}c\.ts\n {2}b\.ts/,
    );
    const hidden = await tools.text('ctx_tree', { show_hidden: true });
    assert.match(hidden, /\.hidden\/ \(1\)/);
  } finally {
    await tools.close();
  }
});

test('a directory with many files is folded into a count by extension, the full list archived', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 30; i++) files[`big/f${String(i).padStart(2, '0')}.${i % 3 === 0 ? 'js' : 'ts'}`] = '';
  const tools = createDirectTools(makeGitRepo(files));
  try {
    const text = await tools.text('ctx_tree', {});
    assert.match(text, /^ {4}… \+11 files \(\.ts 8, \.js 3\)$/m);
    const id = /ctx_expand id="([0-9a-f]{16})"/.exec(text)?.[1];
    assert.ok(id, text);
    const full = await tools.text('ctx_expand', { id });
    assert.equal(full.split('\n').length, 32);
    assert.match(full, /f29\.ts/);
  } finally {
    await tools.close();
  }
});

test('a tree longer than the line cap is cut with a handle to all of it', async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 400; i++) files[`d${String(i).padStart(3, '0')}/x.ts`] = '';
  const tools = createDirectTools(makeGitRepo(files));
  try {
    const text = await tools.text('ctx_tree', { depth: 1 });
    assert.match(
      text,
      /\[showing 300 of 401 lines; folded parts in full \(401 lines\): ctx_expand id="[0-9a-f]{16}"/,
    );
    assert.equal(text.split('\n').length, 302);
  } finally {
    await tools.close();
  }
});

test('ctx_tree on a file or a missing path is an error', async () => {
  const tools = createDirectTools(makeGitRepo({ 'a.ts': '' }));
  try {
    assert.equal((await tools.call('ctx_tree', { path: 'a.ts' })).isError, true);
    assert.equal((await tools.call('ctx_tree', { path: 'missing' })).isError, true);
  } finally {
    await tools.close();
  }
});
