// The pinned real-code corpus, fetched once into the git-ignored .corpus/<size>:
//
//   node --import tsx scripts/corpus.ts [--size small|large] [--dest DIR] [--archives DIR]
//
// Archives are kept (default .corpus/.archives), so a second run, or the other size, needs
// no network; a package whose folder and marker are in place is not unpacked again.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CORPUS_EXTENSIONS,
  CORPUS_MAX_FILE_BYTES,
  CORPUS_PACKAGES,
  type CorpusPackage,
  type CorpusSize,
} from './corpus-packages.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** A fetch that takes longer than this is stuck (the large corpus takes about 30 s cold). */
const LOCK_WAIT_MS = 10 * 60_000;

export interface FetchOptions {
  dest?: string;
  /** Where downloaded archives are kept. */
  archives?: string;
  log?: (line: string) => void;
}

const keyOf = (p: CorpusPackage) => JSON.stringify(p);
const run = (cmd: string, args: readonly string[], cwd?: string) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20 });
const stderrOf = (err: unknown) => String((err as { stderr?: unknown }).stderr ?? err).trim();

function markerPath(dest: string, p: CorpusPackage): string {
  return join(dest, '.done', `${p.kind}-${p.name}`);
}

function isDone(dest: string, p: CorpusPackage): boolean {
  try {
    return existsSync(join(dest, p.kind, p.name)) && readFileSync(markerPath(dest, p), 'utf8') === keyOf(p);
  } catch {
    return false;
  }
}

/** The npm tarball, packed into `archives` unless it is there already. */
function npmArchive(p: CorpusPackage, archives: string): string {
  const file = join(archives, `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`);
  if (!existsSync(file)) {
    run('npm', ['pack', `${p.name}@${p.version}`, '--ignore-scripts', '--loglevel=error'], archives);
  }
  if (!existsSync(file)) throw new Error(`npm pack ${p.name}@${p.version} wrote no ${file}`);
  return file;
}

/** The .deb at the pin; if Debian no longer serves it, apt's candidate, with a warning. */
function debArchive(
  p: CorpusPackage,
  archives: string,
  state: { updated: boolean },
  log: (l: string) => void,
) {
  const prefix = `${p.name}_`;
  const debs = () => readdirSync(archives).filter((f) => f.startsWith(prefix) && f.endsWith('.deb'));
  const pinned = () => debs().find((f) => f.startsWith(`${prefix}${p.version.replace(/:/g, '%3a')}_`));
  const download = (spec: string) => {
    try {
      run('apt-get', ['-q', '-o', 'APT::Sandbox::User=root', 'download', spec], archives);
      return true;
    } catch {
      return false;
    }
  };
  if (pinned()) return join(archives, pinned() ?? '');
  if (!download(`${p.name}=${p.version}`) && !state.updated) {
    log('apt-get update (the package lists lack a pinned version)');
    state.updated = true;
    try {
      run('apt-get', ['-qq', 'update']);
    } catch (err) {
      log(`warning: apt-get update failed: ${stderrOf(err)}`);
    }
    download(`${p.name}=${p.version}`);
  }
  if (pinned()) return join(archives, pinned() ?? '');
  const other = debs()[0] ?? (download(p.name) ? debs()[0] : undefined);
  if (!other) throw new Error(`apt-get download ${p.name}=${p.version} failed, and no candidate either`);
  log(`warning: ${p.name}: the pinned ${p.version} is gone; using ${other}`);
  return join(archives, other);
}

/** Unpacks the kept paths of one archive into `out` (which exists and is empty). */
function unpack(p: CorpusPackage, archive: string, out: string): void {
  const excludes = (p.exclude ?? []).map((e) => `--exclude=${e}`);
  const all = p.keep.includes('.');
  if (p.kind === 'npm') {
    const members = all ? [p.root] : p.keep.map((k) => `${p.root}/${k}`);
    run('tar', ['-xzf', archive, '-C', out, '--strip-components=1', ...excludes, '--wildcards', ...members]);
    return;
  }
  // bash only for the pipe; every path goes in as an argument, never into the script
  const pipe = (script: string, ...args: string[]) =>
    run('bash', ['-o', 'pipefail', '-c', script, 'corpus', ...args]);
  if (/\.(zip|jar|tgz|tar\.\w+)$/.test(p.root)) {
    const inner = join(out, `.inner-${p.root.split('/').pop()}`);
    pipe('dpkg-deb --fsys-tarfile "$1" | tar -xO --wildcards "./$2" > "$3"', archive, p.root, inner);
    if (/\.(zip|jar)$/.test(p.root)) {
      run('unzip', ['-q', '-o', inner, ...(all ? [] : p.keep.map((k) => `${k}/*`)), '-d', out]);
    } else {
      run('tar', ['-xf', inner, '-C', out, ...excludes, '--wildcards', ...(all ? [] : p.keep)]);
    }
    rmSync(inner);
    return;
  }
  const depth = p.root.split('/').length + 1; // "./" and each part of the root
  const members = all ? [`./${p.root}`] : p.keep.map((k) => `./${p.root}/${k}`);
  pipe(
    'deb="$1"; out="$2"; shift 2; dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$out" "$@"',
    archive,
    out,
    `--strip-components=${depth}`,
    ...excludes,
    '--wildcards',
    ...members,
  );
}

/** Deletes all but kept source files, then the folders left empty. */
function prune(dir: string): void {
  const kept = new Set<string>(CORPUS_EXTENSIONS);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      prune(full);
      if (readdirSync(full).length === 0) rmdirSync(full);
      continue;
    }
    const ext = entry.name.slice(entry.name.lastIndexOf('.') + 1);
    const drop =
      !entry.isFile() ||
      !entry.name.includes('.') ||
      !kept.has(ext) ||
      entry.name.includes('.min.') ||
      lstatSync(full).size > CORPUS_MAX_FILE_BYTES;
    if (drop) rmSync(full, { force: true });
  }
}

/** One fetch per archive store at a time (the test runner runs files in parallel). */
function withLock<T>(dir: string, fn: () => T): T {
  const lock = join(dir, '.lock');
  const started = Date.now();
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lock, 'utf8') || 0);
      if (holder > 0 && !isAlive(holder)) rmSync(lock, { force: true });
      else if (Date.now() - started > LOCK_WAIT_MS)
        throw new Error(`${lock} held by pid ${holder} for 10 min`);
      else Atomics.wait(pause, 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The corpus of `size` in `dest` (default .corpus/<size>): `npm/<name>/` and `deb/<pkg>/`
 * with source files only. Fetches what is missing; throws naming each package that failed.
 */
export function fetchCorpus(size: CorpusSize, opts: FetchOptions = {}): string {
  const dest = resolve(opts.dest ?? join(REPO_ROOT, '.corpus', size));
  const packages = CORPUS_PACKAGES[size];
  if (packages.every((p) => isDone(dest, p))) return dest;
  const archives = resolve(opts.archives ?? join(REPO_ROOT, '.corpus', '.archives'));
  const log = opts.log ?? (() => {});
  for (const dir of [dest, archives, join(dest, '.done'), join(dest, 'npm'), join(dest, 'deb')]) {
    mkdirSync(dir, { recursive: true });
  }
  return withLock(archives, () => {
    const failed: string[] = [];
    const apt = { updated: false };
    for (const p of packages) {
      if (isDone(dest, p)) continue;
      const out = join(dest, p.kind, p.name);
      const tmp = `${out}.tmp`;
      try {
        const archive = p.kind === 'npm' ? npmArchive(p, archives) : debArchive(p, archives, apt, log);
        rmSync(tmp, { recursive: true, force: true });
        mkdirSync(tmp, { recursive: true });
        unpack(p, archive, tmp);
        prune(tmp);
        rmSync(out, { recursive: true, force: true });
        renameSync(tmp, out);
        writeFileSync(markerPath(dest, p), keyOf(p));
        log(`${p.kind} ${p.name} ${p.version}: ${countFiles(out)} files`);
      } catch (err) {
        rmSync(tmp, { recursive: true, force: true });
        failed.push(`${p.kind} ${p.name}@${p.version}: ${stderrOf(err).split('\n').slice(-3).join(' | ')}`);
      }
    }
    // exactly this size's packages: another list's leftovers go
    const wanted = new Set(packages.map((p) => `${p.kind}/${p.name}`));
    for (const kind of ['npm', 'deb']) {
      for (const name of readdirSync(join(dest, kind))) {
        if (wanted.has(`${kind}/${name}`)) continue;
        rmSync(join(dest, kind, name), { recursive: true, force: true });
        rmSync(join(dest, '.done', `${kind}-${name}`), { force: true });
      }
    }
    if (failed.length > 0) throw new Error(`fetching the ${size} corpus failed:\n  ${failed.join('\n  ')}`);
    return dest;
  });
}

function countFiles(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? countFiles(join(dir, entry.name)) : 1;
  }
  return n;
}

/** Files and bytes per extension, for the CLI's closing table. */
function summary(dest: string): string {
  const by = new Map<string, { files: number; bytes: number }>();
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else {
        const ext = entry.name.slice(entry.name.lastIndexOf('.') + 1);
        const row = by.get(ext) ?? { files: 0, bytes: 0 };
        row.files++;
        row.bytes += statSync(full).size;
        by.set(ext, row);
      }
    }
  };
  for (const kind of ['npm', 'deb']) if (existsSync(join(dest, kind))) visit(join(dest, kind));
  const rows = [...by].sort((a, b) => b[1].files - a[1].files);
  const total = rows.reduce((t, [, r]) => ({ files: t.files + r.files, bytes: t.bytes + r.bytes }), {
    files: 0,
    bytes: 0,
  });
  return [...rows, ['total', total] as const]
    .map(([ext, r]) => `${ext.padEnd(8)} ${String(r.files).padStart(7)} ${String(r.bytes).padStart(12)}`)
    .join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const size = value('--size') ?? 'small';
  if (args.includes('--help') || (size !== 'small' && size !== 'large')) {
    console.log(
      'usage: node --import tsx scripts/corpus.ts [--size small|large] [--dest DIR] [--archives DIR]',
    );
    process.exit(args.includes('--help') ? 0 : 2);
  }
  const started = Date.now();
  try {
    const dest = fetchCorpus(size, {
      dest: value('--dest'),
      archives: value('--archives'),
      log: (line) => process.stderr.write(`corpus: ${line}\n`),
    });
    console.log(
      `corpus: ${dest} (${size}), ${((Date.now() - started) / 1000).toFixed(1)} s\n${summary(dest)}`,
    );
  } catch (err) {
    console.error(`corpus: ${(err as Error).message}`);
    process.exit(1);
  }
}
