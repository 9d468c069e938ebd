import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseDiffText, parseNameStatus, parseUnifiedDiff } from '../../../src/engine/git/parse-diff.ts';
import { makeGitRepo } from '../../helpers/git-repo.ts';

const git = (root: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

const numbered = (n: number, tag = 'line') =>
  Array.from({ length: n }, (_, i) => `${tag} ${i + 1}`).join('\n');

function changedRepo(): string {
  const root = makeGitRepo({
    'a.txt': numbered(10), // no trailing newline
    'b.txt': `${numbered(20, 'b')}\n`,
    'c.txt': 'gone soon\n',
  });
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'start');
  // a: line 3 replaced, a line appended after the unterminated last one
  writeFileSync(join(root, 'a.txt'), `${numbered(10).replace('line 3', 'line three')}\nline 11\n`);
  git(root, 'mv', 'b.txt', 'd.txt');
  writeFileSync(join(root, 'd.txt'), `${numbered(20, 'b').replace('b 15', 'b fifteen')}\n`);
  rmSync(join(root, 'c.txt'));
  writeFileSync(join(root, 'e.txt'), 'new\nfile\n');
  git(root, 'add', '-A');
  return root;
}

test('real git diffs, with and without context, give the same files, counts and new-side line ranges', () => {
  const root = changedRepo();
  const expected = [
    {
      path: 'a.txt',
      status: 'modified',
      added: 3,
      removed: 2,
      changed: [
        [3, 3],
        [10, 11],
      ],
    },
    { path: 'c.txt', status: 'deleted', added: 0, removed: 1, changed: [] },
    { path: 'd.txt', oldPath: 'b.txt', status: 'renamed', added: 1, removed: 1, changed: [[15, 15]] },
    { path: 'e.txt', status: 'added', added: 2, removed: 0, changed: [[1, 2]] },
  ];
  for (const context of ['-U3', '-U0']) {
    const diff = git(root, 'diff', '--cached', '-M', context);
    assert.match(diff, /\\ No newline at end of file/);
    assert.deepEqual(parseUnifiedDiff(diff), expected, context);
    assert.deepEqual(parseDiffText(diff), expected);
  }
  const names = git(root, 'diff', '--cached', '-M', '--name-status');
  assert.deepEqual(
    parseNameStatus(names).map((f) => `${f.status} ${f.oldPath ?? ''}>${f.path}`),
    ['modified >a.txt', 'deleted >c.txt', 'renamed b.txt>d.txt', 'added >e.txt'],
  );
  assert.deepEqual(parseDiffText(names), parseNameStatus(names));
});

test('a patch without diff --git headers still splits into files, a hunk line starting with --- included', () => {
  const patch = [
    '--- a/x.ts',
    '+++ b/x.ts',
    '@@ -1,2 +1,2 @@',
    '--- not a header, a removed line',
    '+++ not a header, an added line',
    ' kept',
    '--- a/y.ts',
    '+++ b/y.ts',
    '@@ -5 +5,2 @@',
    '-old',
    '+new',
    '+newer',
    '',
  ].join('\n');
  assert.deepEqual(parseUnifiedDiff(patch), [
    { path: 'x.ts', status: 'modified', added: 1, removed: 1, changed: [[1, 1]] },
    { path: 'y.ts', status: 'modified', added: 2, removed: 1, changed: [[5, 6]] },
  ]);
});
