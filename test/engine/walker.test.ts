import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { walkFiles } from '../../src/engine/walker.ts';

function makeRepo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'walker-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), content);
  }
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

test('walkFiles lists exactly what git ls-files lists, nested .gitignore and negation included', async () => {
  const root = makeRepo({
    '.gitignore': 'build/\n*.log\n!keep.log\n',
    'src/a.ts': 'a',
    'src/b.log': 'b',
    'src/keep.log': 'k',
    'src/sub/.gitignore': 'secret.txt\n/local-only\n',
    'src/sub/secret.txt': 's',
    'src/sub/local-only': 'l',
    'src/sub/deeper/local-only': 'kept: the rule is anchored',
    'build/out.js': 'o',
    'docs/readme.md': 'r',
    '.hidden/x': 'x',
  });
  symlinkSync('/etc', join(root, 'link-out'));
  const git = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((l) => l && !l.startsWith('.') && !l.includes('/.') && l !== 'link-out')
    .sort();
  const { files } = await walkFiles(root);
  assert.deepEqual(files, git);
});

test('walkFiles applies parent rules when starting in a subdirectory', async () => {
  const root = makeRepo({ '.gitignore': '*.tmp\n', 'pkg/a.tmp': '1', 'pkg/b.ts': '2' });
  const { files } = await walkFiles(root, 'pkg');
  assert.deepEqual(files, ['pkg/b.ts']);
});
