import { execFile } from 'node:child_process';

/**
 * What the graph tools ask git about a workspace: the working tree's changes, a file's recent
 * commits, how often each file changed. Paths are relative to the workspace root (which may be
 * a subdirectory of the repository); every call says why when git cannot answer.
 */
export type GitAnswer<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ChangedFile {
  path: string;
  /** `modified`, `added` (staged or untracked), `deleted`; a rename is a delete and an add. */
  status: 'modified' | 'added' | 'deleted';
}

export interface Commit {
  hash: string;
  /** YYYY-MM-DD, author date. */
  date: string;
  author: string;
  subject: string;
}

const GIT_TIMEOUT_MS = 15_000;
const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;
/** Commits `churn` reads at most: enough history to rank files, bounded on any repository. */
export const CHURN_MAX_COMMITS = 2_000;

class GitFailure extends Error {}

/** git in `root`; a repository's own fsmonitor hook is never run. */
function git(root: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      ['-c', 'core.fsmonitor=false', '-c', 'core.quotepath=false', ...args],
      { cwd: root, timeout: GIT_TIMEOUT_MS, maxBuffer: MAX_OUTPUT_BYTES, signal, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return reject(new GitFailure('git is not installed on the server'));
        if (err.name === 'AbortError') return reject(err);
        reject(new GitFailure(stderr.trim().split('\n')[0] || err.message));
      },
    );
  });
}

async function answer<T>(work: () => Promise<T>): Promise<GitAnswer<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (err) {
    if (err instanceof GitFailure) return { ok: false, reason: err.message };
    throw err;
  }
}

/** Why git cannot answer for this root, or undefined when it is inside a work tree. */
async function notARepository(root: string, signal?: AbortSignal): Promise<string | undefined> {
  try {
    const inside = await git(root, ['rev-parse', '--is-inside-work-tree'], signal);
    return inside.trim() === 'true' ? undefined : 'the workspace is not inside a git work tree';
  } catch (err) {
    if (!(err instanceof GitFailure)) throw err;
    return err.message.startsWith('git is not installed')
      ? err.message
      : 'the workspace is not a git repository (no .git found above its root)';
  }
}

async function hasHead(root: string, signal?: AbortSignal): Promise<boolean> {
  return git(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], signal).then(
    () => true,
    (err: unknown) => {
      if (err instanceof GitFailure) return false;
      throw err;
    },
  );
}

/** `git diff --name-status -z` output: status, path (and a second path for R and C). */
function parseNameStatus(out: string, into: Map<string, ChangedFile['status']>) {
  const parts = out.split('\0');
  for (let i = 0; i < parts.length - 1; ) {
    const status = parts[i++]!;
    const first = parts[i++]!;
    if (status.startsWith('R') || status.startsWith('C')) {
      const second = parts[i++]!;
      if (status.startsWith('R')) into.set(first, 'deleted');
      into.set(second, 'added');
    } else if (status.startsWith('D')) into.set(first, 'deleted');
    else if (status.startsWith('A')) into.set(first, 'added');
    else into.set(first, 'modified');
  }
}

/**
 * Files that differ from HEAD: unstaged (`git diff HEAD`), staged (`--cached`) and untracked
 * (not ignored). Before the first commit, what is staged and untracked.
 */
export async function changedFiles(root: string, signal?: AbortSignal): Promise<GitAnswer<ChangedFile[]>> {
  const why = await notARepository(root, signal);
  if (why) return { ok: false, reason: why };
  return answer(async () => {
    const found = new Map<string, ChangedFile['status']>();
    const diff = ['diff', '--name-status', '-z', '--relative', '--no-renames'];
    if (await hasHead(root, signal)) {
      parseNameStatus(await git(root, [...diff, '--cached', 'HEAD'], signal), found);
      parseNameStatus(await git(root, [...diff, 'HEAD'], signal), found);
    } else {
      parseNameStatus(await git(root, [...diff, '--cached'], signal), found);
    }
    const untracked = await git(root, ['ls-files', '-z', '--others', '--exclude-standard'], signal);
    for (const p of untracked.split('\0')) if (p) found.set(p, 'added');
    return [...found]
      .map(([path, status]) => ({ path, status }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  });
}

/** The newest `limit` commits that touched `rel` (following renames). */
export async function commitsTouching(
  root: string,
  rel: string,
  limit: number,
  signal?: AbortSignal,
): Promise<GitAnswer<Commit[]>> {
  const why = await notARepository(root, signal);
  if (why) return { ok: false, reason: why };
  if (!(await hasHead(root, signal))) return { ok: true, value: [] };
  return answer(async () => {
    const out = await git(
      root,
      ['log', '--follow', `-n${limit}`, '--format=%h%x00%as%x00%an%x00%s', '--', rel],
      signal,
    );
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [hash = '', date = '', author = '', subject = ''] = line.split('\0');
        return { hash, date, author, subject };
      });
  });
}

/** How many of the newest `maxCommits` commits touched each file, and how many commits were read. */
export async function churn(
  root: string,
  signal?: AbortSignal,
  maxCommits = CHURN_MAX_COMMITS,
): Promise<GitAnswer<{ commits: number; byFile: Map<string, number> }>> {
  const why = await notARepository(root, signal);
  if (why) return { ok: false, reason: why };
  if (!(await hasHead(root, signal))) return { ok: true, value: { commits: 0, byFile: new Map() } };
  return answer(async () => {
    const out = await git(
      root,
      ['log', `-n${maxCommits}`, '--format=%x01', '--name-only', '-z', '--relative', '--no-renames'],
      signal,
    );
    const byFile = new Map<string, number>();
    let commits = 0;
    // `\x01\0\npath\0path\0\x01\0\npath\0`: a marker per commit, then its paths
    for (const part of out.split('\0')) {
      if (part === '\x01') commits++;
      else if (part) {
        const p = part.replace(/^\n/, '');
        byFile.set(p, (byFile.get(p) ?? 0) + 1);
      }
    }
    return { commits, byFile };
  });
}
