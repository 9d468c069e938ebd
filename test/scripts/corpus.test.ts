import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { listFiles } from '../helpers/corpus.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** The files a clone of this repository holds (tracked, or new and not ignored), copied alone. */
function copyOfRepository(): string {
  const copy = join(mkdtempSync(join(tmpdir(), 'leanctx-clone-')), 'leanctx');
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((f) => f && existsSync(join(REPO_ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(copy, f)), { recursive: true });
    copyFileSync(join(REPO_ROOT, f), join(copy, f));
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/**
 * argv that runs `args` with every shared/ folder of this machine hidden behind an empty
 * tmpfs (a private mount namespace; root only). Elsewhere the copy alone has none beside it.
 */
function withoutShared(args: string[]): string[] {
  const shared = ['/work/shared', resolve(REPO_ROOT, '../shared')]
    .filter(existsSync)
    .map((d) => realpathSync(d));
  const canHide = process.getuid?.() === 0 && spawnSync('unshare', ['-m', 'true']).status === 0;
  if (!canHide || shared.length === 0) return args;
  const mounts = [...new Set(shared)].map((d) => `mount -t tmpfs tmpfs '${d}'`).join(' && ');
  return ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${mounts} && exec "$0" "$@"`, ...args];
}

test('the small corpus resolves in a copy of this repository alone, with shared/ out of reach, under two concurrent fetches', async () => {
  const copy = copyOfRepository();
  const archives = join(REPO_ROOT, '.corpus', '.archives');
  const fetch = `import('./scripts/corpus.ts').then((m) => console.log(m.fetchCorpus('small', { archives: ${JSON.stringify(archives)} })))`;
  const [cmd = '', ...args] = withoutShared([process.execPath, '--import', 'tsx', '-e', fetch]);
  const runs = await Promise.all([1, 2].map(() => run(cmd, args, { cwd: copy, timeout: 300_000 })));
  const dest = join(copy, '.corpus', 'small');
  for (const r of runs) assert.equal(r.stdout.trim(), dest, r.stderr);
  assert.equal(listFiles(join(dest, 'npm', 'zod'), ['.ts']).length, 332);
  assert.equal(listFiles(join(dest, 'deb', 'python3-rich'), ['.py']).length, 78);
  assert.equal(
    listFiles(join(dest, 'deb', 'golang-github-prometheus-client-golang-dev'), ['.go']).length,
    103,
  );
  assert.deepEqual(listFiles(dest, ['.json', '.md', '.txt', '.pyc']), [], 'only source files are kept');
  const ignored = spawnSync('git', ['check-ignore', '-q', '.corpus/small/npm/zod/index.ts'], {
    cwd: REPO_ROOT,
  });
  assert.equal(ignored.status, 0, 'the corpus is git-ignored, never committed');
  // the command line, again: everything is in place, so no network and a table of 513 files
  const again = await run(process.execPath, ['--import', 'tsx', 'scripts/corpus.ts', '--size', 'small'], {
    cwd: copy,
    timeout: 60_000,
  });
  assert.match(again.stdout, /^total\s+513\s/m);
});
