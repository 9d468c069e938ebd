import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countTokens } from '../../../src/engine/tokens.ts';
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
    assert.equal(text, ['./ (4 files)', '  src/ (3)', '    lib/ (2)', '    a.ts', '  README.md'].join('\n'));
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
    assert.equal(text.split('\n').length, 301);
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

test('ctx_tree claims savings only against the same entries as full paths, and returns the figure it prints', async () => {
  const files: Record<string, string> = {};
  for (const dir of ['packages/server/src/routes', 'packages/server/src/middleware']) {
    for (let i = 0; i < 6; i++) files[`${dir}/handler-number-${i}.ts`] = '';
  }
  const tools = createDirectTools(makeGitRepo(files));
  try {
    const deep = await tools.outcome('ctx_tree', { depth: 6 });
    const text = deep.result.content[0]?.type === 'text' ? deep.result.content[0].text : '';
    const dirs = ['packages/', 'packages/server/', 'packages/server/src/'];
    const flat = [
      ...Object.keys(files),
      ...dirs,
      'packages/server/src/middleware/',
      'packages/server/src/routes/',
    ];
    assert.equal(deep.tokensRaw, countTokens(flat.sort().join('\n')));
    assert.ok(deep.tokensSaved > 0);
    assert.match(text, new RegExp(`\\n\\[${deep.tokensSaved} tok saved \\(\\d+%\\)\\]$`));
    // one level: the counts cost more than the two paths they stand for, so no claim at all
    const shallow = await tools.outcome('ctx_tree', { depth: 1 });
    const one = shallow.result.content[0]?.type === 'text' ? shallow.result.content[0].text : '';
    assert.doesNotMatch(one, /tok saved/);
    assert.equal(shallow.tokensSaved, 0);
  } finally {
    await tools.close();
  }
});
