import { opendir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { isExcludedPath } from './jail.ts';

export interface WalkOptions {
  /** Include names starting with "." (never `.git`). */
  showHidden?: boolean;
  /** Follow .gitignore files (default true). */
  respectGitignore?: boolean;
  /** Directory levels below the start to descend; Infinity by default. */
  maxDepth?: number;
  signal?: AbortSignal;
  /** Root-relative paths never listed nor entered (the workspace jail's `excluded`). */
  exclude?: readonly string[];
}

export interface WalkResult {
  /** Files, root-relative with forward slashes, sorted. */
  files: string[];
  /** Directories that were entered, root-relative, sorted (without the start). */
  dirs: string[];
}

interface Rules {
  base: string;
  ig: Ignore;
}

async function readRules(absDir: string, relDir: string, names: string[]): Promise<Rules | undefined> {
  const chunks: string[] = [];
  for (const name of names) {
    try {
      chunks.push(await readFile(join(absDir, name), 'utf8'));
    } catch {
      // absent or unreadable: no rules from it
    }
  }
  if (chunks.length === 0) return undefined;
  return { base: relDir, ig: ignore({ allowRelativePaths: true }).add(chunks.join('\n')) };
}

function isIgnored(stack: readonly Rules[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const rules of stack) {
    const local = rules.base === '' ? rel : rel.slice(rules.base.length + 1);
    const verdict = rules.ig.test(isDir ? `${local}/` : local);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}

const join2 = (a: string, b: string) => (a === '' ? b : `${a}/${b}`);

/**
 * Lists the files under `startRel` the way `git ls-files --cached --others --exclude-standard`
 * would: nested .gitignore files and .git/info/exclude apply, `.git` is never entered, and
 * symlinks are not followed.
 */
export async function walkFiles(root: string, startRel = '', opts: WalkOptions = {}): Promise<WalkResult> {
  const respectGitignore = opts.respectGitignore ?? true;
  const excluded = opts.exclude ?? [];
  const maxDepth = opts.maxDepth ?? Number.POSITIVE_INFINITY;
  const files: string[] = [];
  const dirs: string[] = [];
  const start = startRel === '.' ? '' : startRel.replace(/\/+$/, '');

  // Rules from the root down to the start directory apply to the start too.
  const initial: Rules[] = [];
  if (respectGitignore) {
    const rootRules = await readRules(root, '', ['.git/info/exclude', '.gitignore']);
    if (rootRules) initial.push(rootRules);
    let rel = '';
    for (const part of start === '' ? [] : start.split('/')) {
      rel = join2(rel, part);
      const r = await readRules(join(root, rel), rel, ['.gitignore']);
      if (r) initial.push(r);
    }
  }

  async function visit(relDir: string, depth: number, stack: readonly Rules[]): Promise<void> {
    opts.signal?.throwIfAborted();
    const absDir = relDir === '' ? root : join(root, relDir);
    let rules = stack;
    if (respectGitignore && relDir !== start) {
      const own = await readRules(absDir, relDir, ['.gitignore']);
      if (own) rules = [...stack, own];
    }
    const subdirs: string[] = [];
    let handle: Awaited<ReturnType<typeof opendir>>;
    try {
      handle = await opendir(absDir, { bufferSize: 256 });
    } catch {
      return;
    }
    for await (const entry of handle) {
      const name = entry.name;
      if (name === '.git') continue;
      if (!opts.showHidden && name.startsWith('.')) continue;
      if (entry.isSymbolicLink()) continue;
      const rel = join2(relDir, name);
      if (excluded.length > 0 && isExcludedPath(excluded, rel)) continue;
      const isDir = entry.isDirectory();
      if (!isDir && !entry.isFile()) continue;
      if (respectGitignore && isIgnored(rules, rel, isDir)) continue;
      if (isDir) subdirs.push(rel);
      else files.push(rel);
    }
    if (depth >= maxDepth) {
      dirs.push(...subdirs);
      return;
    }
    dirs.push(...subdirs);
    await Promise.all(subdirs.map((d) => visit(d, depth + 1, rules)));
  }

  if (!isExcludedPath(excluded, start === '' ? '.' : start)) await visit(start, 0, initial);
  const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  files.sort(byCodeUnit);
  dirs.sort(byCodeUnit);
  return { files, dirs };
}
