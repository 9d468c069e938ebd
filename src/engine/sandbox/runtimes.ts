import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

export const LANGUAGES = [
  'javascript',
  'typescript',
  'python',
  'shell',
  'ruby',
  'go',
  'rust',
  'php',
  'perl',
  'r',
  'elixir',
] as const;
export type Language = (typeof LANGUAGES)[number];

/** A toolchain found on this machine, and how to run one code file with it. */
export interface Runtime {
  language: Language;
  /** The file name extension the code is written with. */
  ext(code: string): string;
  /** The argv that runs the code file at `file` (a path as the program sees it). */
  argv(file: string): string[];
  /** Directories outside the system ones the toolchain needs (bound read-only in the sandbox). */
  dirs: string[];
  /** Variables the toolchain needs, given the run's private temp dir. */
  env(tmp: string): Record<string, string>;
  /** Turns the code into what the toolchain runs (TypeScript → JavaScript). */
  transform?(code: string, ext: string): Promise<string>;
  /** The toolchain, for the answer's status line. */
  describe: string;
}

const SYSTEM_DIRS = ['/usr/', '/bin/', '/sbin/', '/lib/', '/lib64/', '/etc/', '/opt/'];

function findProgram(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The install prefix of a binary (…/bin/x → …) when it is outside the system dirs. */
function prefixDirs(binary: string): string[] {
  if (SYSTEM_DIRS.some((d) => binary.startsWith(d))) return [];
  return [dirname(dirname(binary))];
}

function output(program: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 15_000, encoding: 'utf8' }, (err, stdout) =>
      resolve(err ? undefined : stdout.trim()),
    );
  });
}

/** ES module syntax or a top-level await: run as .mjs; else CommonJS (`require` works). */
function looksLikeModule(code: string): boolean {
  return /^\s*(import\s|export\s|import\{)/m.test(code) || /^await\s/m.test(code);
}

async function resolveRuntime(language: Language): Promise<Runtime | string> {
  const base = { language, env: () => ({}), dirs: [] as string[] };
  switch (language) {
    case 'javascript':
    case 'typescript': {
      const node = realpathSync(process.execPath);
      const js: Runtime = {
        ...base,
        ext: (code) => (looksLikeModule(code) ? 'mjs' : 'cjs'),
        argv: (file) => [node, file],
        dirs: prefixDirs(node),
        describe: `node ${process.version}`,
      };
      if (language === 'javascript') return js;
      return {
        ...js,
        describe: `node ${process.version} (TypeScript types stripped by esbuild)`,
        async transform(code, ext) {
          const { transform } = await import('esbuild');
          const out = await transform(code, {
            loader: 'ts',
            format: ext === 'mjs' ? 'esm' : 'cjs',
            target: 'node20',
          });
          return out.code;
        },
      };
    }
    case 'python': {
      const found = findProgram('python3') ?? findProgram('python');
      if (!found) return 'no python3 on the PATH';
      // pyenv and similar put shims on the PATH: ask the interpreter where it really is
      const where = await output(found, ['-c', 'import sys; print(sys.executable); print(sys.base_prefix)']);
      const [exe, prefix] = where?.split('\n') ?? [];
      if (!exe || !prefix) return `${found} did not start`;
      const real = realpathSync(exe);
      const dirs = SYSTEM_DIRS.some((d) => real.startsWith(d)) ? [] : [realpathSync(prefix)];
      const version = await output(real, ['--version']);
      return {
        ...base,
        ext: () => 'py',
        argv: (file) => [real, '-u', file],
        dirs,
        describe: version ?? real,
      };
    }
    case 'shell': {
      const sh = findProgram('bash') ? '/bin/bash' : '/bin/sh';
      return { ...base, ext: () => 'sh', argv: (file) => [sh, file], describe: sh };
    }
    case 'go': {
      const go = findProgram('go');
      if (!go) return 'no `go` on the PATH';
      const root = await output(go, ['env', 'GOROOT']);
      if (!root) return `${go} env GOROOT failed`;
      const real = realpathSync(join(root, 'bin', 'go'));
      return {
        ...base,
        ext: () => 'go',
        argv: (file) => [real, 'run', file],
        dirs: prefixDirs(real).length ? [realpathSync(root)] : [],
        env: (tmp) => ({
          GOCACHE: `${tmp}/.gocache`,
          GOPATH: `${tmp}/.gopath`,
          GOTOOLCHAIN: 'local',
          CGO_ENABLED: '0',
          GOFLAGS: '-mod=mod',
        }),
        describe: (await output(real, ['version'])) ?? real,
      };
    }
    case 'rust': {
      const rustc = findProgram('rustc');
      if (!rustc) return 'no `rustc` on the PATH';
      // rustup installs a proxy: the real compiler is in the active toolchain's sysroot
      const sysroot = await output(rustc, ['--print', 'sysroot']);
      if (!sysroot) return `${rustc} --print sysroot failed`;
      const real = join(realpathSync(sysroot), 'bin', 'rustc');
      return {
        ...base,
        ext: () => 'rs',
        argv: (file) => [
          '/bin/sh',
          '-c',
          // sh parameter expansion: the binary goes beside the source, in the private /tmp
          '"$0" --edition 2021 -o "$1.bin" "$1" && exec "$1.bin"',
          real,
          file,
        ],
        dirs: prefixDirs(real).length ? [realpathSync(sysroot)] : [],
        describe: (await output(real, ['--version'])) ?? real,
      };
    }
    default: {
      const program = { ruby: 'ruby', php: 'php', perl: 'perl', r: 'Rscript', elixir: 'elixir' }[language];
      const ext = { ruby: 'rb', php: 'php', perl: 'pl', r: 'R', elixir: 'exs' }[language];
      const found = findProgram(program);
      if (!found) return `no \`${program}\` on the PATH`;
      const real = realpathSync(found);
      if (real.includes('/shims/'))
        return `${found} is a version-manager shim; put the real ${program} on the PATH`;
      return {
        ...base,
        ext: () => ext,
        argv: (file) => [real, file],
        dirs: prefixDirs(real),
        describe: real,
      };
    }
  }
}

const cache = new Map<Language, Promise<Runtime | string>>();

/** The toolchain for `language`, or why there is none (found once per process). */
export function runtimeFor(language: Language): Promise<Runtime | string> {
  let found = cache.get(language);
  if (!found) {
    found = resolveRuntime(language);
    cache.set(language, found);
  }
  return found;
}

/** The language of a file by its extension, for `action: "file"`. */
export function languageOfFile(path: string): Language | undefined {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  const map: Record<string, Language> = {
    js: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    ts: 'typescript',
    mts: 'typescript',
    cts: 'typescript',
    py: 'python',
    sh: 'shell',
    bash: 'shell',
    rb: 'ruby',
    go: 'go',
    rs: 'rust',
    php: 'php',
    pl: 'perl',
    r: 'r',
    exs: 'elixir',
    ex: 'elixir',
  };
  return map[ext];
}
