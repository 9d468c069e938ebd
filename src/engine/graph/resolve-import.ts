import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/** Turns an import specifier into a workspace file, given every file the graph knows. */
export type ImportResolver = (from: string, specifier: string, language: string) => string | null;

const JS_EXTS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
const JS_LANGS = new Set(['typescript', 'tsx', 'javascript']);

interface TsPaths {
  baseUrl: string | undefined;
  paths: [prefix: string, suffix: string, targets: string[]][];
}

/** tsconfig.json at the root, comments and trailing commas allowed; unreadable means none. */
function readTsPaths(root: string): TsPaths {
  try {
    const raw = readFileSync(join(root, 'tsconfig.json'), 'utf8')
      .replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_m, str: string | undefined) => str ?? '')
      .replace(/,(\s*[}\]])/g, '$1');
    const opts = (
      JSON.parse(raw) as { compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> } }
    ).compilerOptions;
    const baseUrl = opts?.baseUrl === undefined ? undefined : posix.normalize(opts.baseUrl);
    const paths = Object.entries(opts?.paths ?? {}).map(([pattern, targets]): TsPaths['paths'][number] => {
      const star = pattern.indexOf('*');
      return star === -1
        ? [pattern, '', targets]
        : [pattern.slice(0, star), pattern.slice(star + 1), targets];
    });
    return { baseUrl, paths };
  } catch {
    return { baseUrl: undefined, paths: [] };
  }
}

/** The go.mod module path, when the root has one. */
function readGoModule(root: string): string | undefined {
  try {
    return /^module\s+(\S+)/m.exec(readFileSync(join(root, 'go.mod'), 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

/** Include directories (`-I`, `-iquote`, `-isystem`) of compile_commands.json at the root or in build/. */
function readIncludeDirs(root: string): string[] {
  const dirs = new Set<string>();
  for (const at of ['compile_commands.json', 'build/compile_commands.json']) {
    try {
      const entries = JSON.parse(readFileSync(join(root, at), 'utf8')) as {
        directory?: string;
        command?: string;
        arguments?: string[];
      }[];
      for (const e of entries.slice(0, 10_000)) {
        const args = e.arguments ?? e.command?.split(/\s+/) ?? [];
        for (let i = 0; i < args.length; i++) {
          const m = /^-(I|iquote|isystem)(.*)$/.exec(args[i]!);
          if (!m) continue;
          const dir = m[2] || args[++i] || '';
          const base = posix.resolve(root, e.directory ?? '.');
          const abs = posix.resolve(base, dir);
          const rel = posix.relative(root, abs);
          if (!rel.startsWith('..') && !posix.isAbsolute(rel)) dirs.add(rel || '.');
        }
      }
    } catch {
      // none, or unreadable: relative includes still resolve
    }
  }
  return [...dirs];
}

/** PSR-4 prefixes of composer.json (`autoload` and `autoload-dev`): namespace prefix → directories. */
function readPsr4(root: string): [prefix: string, dirs: string[]][] {
  try {
    const json = JSON.parse(readFileSync(join(root, 'composer.json'), 'utf8')) as Record<
      string,
      { 'psr-4'?: Record<string, string | string[]> } | undefined
    >;
    const out: [string, string[]][] = [];
    for (const section of [json.autoload, json['autoload-dev']]) {
      for (const [prefix, dirs] of Object.entries(section?.['psr-4'] ?? {}))
        out.push([prefix, (Array.isArray(dirs) ? dirs : [dirs]).map((d) => d.replace(/\/+$/, ''))]);
    }
    // the longest prefix wins
    return out.sort((a, b) => b[0].length - a[0].length);
  } catch {
    return [];
  }
}

export function createImportResolver(root: string, files: ReadonlySet<string>): ImportResolver {
  const ts = readTsPaths(root);
  const goModule = readGoModule(root);
  const clean = (p: string) => {
    const n = posix.normalize(p);
    return n.startsWith('./') ? n.slice(2) : n;
  };
  const firstFile = (candidates: string[]) => candidates.map(clean).find((c) => files.has(c)) ?? null;

  const jsFile = (base: string): string | null => {
    const stem = base.replace(/\.(m|c)?jsx?$/, '');
    return firstFile([base, ...JS_EXTS.map((e) => stem + e), ...JS_EXTS.map((e) => `${base}/index${e}`)]);
  };
  const js = (from: string, spec: string): string | null => {
    if (spec.startsWith('.')) return jsFile(posix.join(posix.dirname(from), spec));
    if (spec.startsWith('/')) return null;
    const baseDir = ts.baseUrl ?? '.';
    for (const [prefix, suffix, targets] of ts.paths) {
      if (!spec.startsWith(prefix) || !spec.endsWith(suffix) || spec.length < prefix.length + suffix.length)
        continue;
      const star = spec.slice(prefix.length, spec.length - suffix.length);
      for (const t of targets) {
        const hit = jsFile(posix.join(baseDir, t.replace('*', star)));
        if (hit) return hit;
      }
    }
    return ts.baseUrl === undefined ? null : jsFile(posix.join(baseDir, spec));
  };

  const python = (from: string, spec: string): string | null => {
    const dots = /^\.*/.exec(spec)![0].length;
    const path = spec.slice(dots).split('.').filter(Boolean).join('/');
    const bases: string[] = [];
    if (dots > 0) {
      let dir = posix.dirname(from);
      for (let i = 1; i < dots; i++) dir = posix.dirname(dir);
      bases.push(dir);
    } else {
      bases.push('.', 'src', posix.dirname(from));
    }
    for (const base of bases) {
      const p = posix.join(base, path);
      const hit = firstFile(path === '' ? [`${p}/__init__.py`] : [`${p}.py`, `${p}/__init__.py`, `${p}.pyi`]);
      if (hit) return hit;
    }
    return null;
  };

  let goPackages: Map<string, string> | undefined;
  const go = (spec: string): string | null => {
    if (!goModule || (spec !== goModule && !spec.startsWith(`${goModule}/`))) return null;
    if (!goPackages) {
      // a package directory → its first non-test file, built once per resolver
      goPackages = new Map();
      for (const f of [...files].sort()) {
        if (f.endsWith('.go') && !f.endsWith('_test.go') && !goPackages.has(posix.dirname(f))) {
          goPackages.set(posix.dirname(f), f);
        }
      }
    }
    return goPackages.get(clean(spec.slice(goModule.length + 1) || '.')) ?? null;
  };

  // `require_relative 'a/b'` from the file's directory; `require 'a/b'` from lib/ or the root
  const ruby = (from: string, spec: string): string | null => {
    const base = spec.endsWith('.rb') ? spec : `${spec}.rb`;
    return firstFile([posix.join(posix.dirname(from), base), posix.join('lib', base), base]);
  };

  let includeDirs: string[] | undefined;
  // `#include "a.h"`: beside the file, then compile_commands.json include dirs, the root, include/
  const cFamily = (from: string, spec: string): string | null => {
    if (spec.startsWith('<')) spec = spec.slice(1, -1);
    includeDirs ??= readIncludeDirs(root);
    return firstFile([posix.dirname(from), ...includeDirs, '.', 'include'].map((d) => posix.join(d, spec)));
  };

  /** Files by their path under any source root: `com/acme/Foo.java` → `src/main/java/com/acme/Foo.java`. */
  let bySuffix: Map<string, string> | undefined;
  const suffixIndex = () => {
    if (!bySuffix) {
      bySuffix = new Map();
      for (const f of [...files].sort()) {
        if (!/\.(java|kt|scala|cs)$/.test(f)) continue;
        const parts = f.split('/');
        for (let i = 0; i < parts.length; i++) {
          const key = parts.slice(i).join('/');
          if (!bySuffix.has(key)) bySuffix.set(key, f);
        }
      }
    }
    return bySuffix;
  };
  // `import com.acme.Foo;` (or `com.acme.Foo.bar` static) → the class file; `com.acme.*` → none
  const java = (spec: string): string | null => {
    const parts = spec.split('.').filter((p) => p !== '*');
    for (let n = parts.length; n > 0; n--) {
      const hit = suffixIndex().get(`${parts.slice(0, n).join('/')}.java`);
      if (hit) return hit;
    }
    return null;
  };
  // `using Acme.Billing;` → a file in a directory ending Acme/Billing (or Billing): a namespace is a folder by convention
  let csDirs: Map<string, string> | undefined;
  const csharp = (spec: string): string | null => {
    if (!csDirs) {
      csDirs = new Map();
      for (const f of [...files].sort()) {
        if (!f.endsWith('.cs')) continue;
        const parts = posix.dirname(f).split('/');
        for (let i = 0; i < parts.length; i++) {
          const key = parts.slice(i).join('/');
          if (!csDirs.has(key)) csDirs.set(key, f);
        }
      }
    }
    const name = spec
      .replace(/^(static\s+|global::)/, '')
      .replace(/^\w+\s*=\s*/, '')
      .trim();
    const parts = name.split('.');
    for (let i = 0; i < parts.length; i++) {
      const hit = csDirs.get(parts.slice(i).join('/'));
      if (hit) return hit;
    }
    return suffixIndex().get(`${parts.join('/')}.cs`) ?? null;
  };

  let psr4: ReturnType<typeof readPsr4> | undefined;
  // `use App\Http\Kernel;` → composer.json PSR-4 `App\` → src/Http/Kernel.php; include/require paths relative
  const php = (from: string, spec: string): string | null => {
    if (/\.php$/.test(spec)) return firstFile([posix.join(posix.dirname(from), spec), spec]);
    psr4 ??= readPsr4(root);
    const name = spec
      .replace(/^(function|const)\s+/, '')
      .replace(/\s+as\s+\w+$/, '')
      .replace(/^\\/, '');
    for (const [prefix, dirs] of psr4) {
      if (!name.startsWith(prefix)) continue;
      const rest = name.slice(prefix.length).split('\\').join('/');
      const hit = firstFile(dirs.map((d) => posix.join(d, `${rest}.php`)));
      if (hit) return hit;
    }
    return null;
  };

  /**
   * `use crate::a::b::Item` / `super::` / `self::` → the module file: a/b.rs or a/b/mod.rs under
   * the crate's src/ (trying shorter paths, the last segments being items); `mod x;` likewise.
   */
  const rust = (from: string, spec: string): string | null => {
    const path = spec.replace(/::\{.*$/s, '').replace(/\s+as\s+\w+$/, '');
    const parts = path.split('::');
    const srcAt = from.lastIndexOf('src/');
    const crate = srcAt === -1 ? posix.dirname(from) : from.slice(0, srcAt + 3);
    // a file's own module directory: src/a.rs and src/a/mod.rs both own src/a/
    const stem = from.replace(/\.rs$/, '');
    const own = /(^|\/)(mod|lib|main)$/.test(stem) ? posix.dirname(from) : stem;
    let dir: string;
    if (parts[0] === 'crate') dir = crate;
    else if (parts[0] === 'self') dir = own;
    else if (parts[0] === 'super') {
      dir = posix.dirname(own);
      while (parts[1] === 'super') {
        parts.shift();
        dir = posix.dirname(dir);
      }
    } else if (parts[0] === 'mod') dir = own;
    else return null;
    const segs = parts.slice(1);
    for (let n = segs.length; n > 0; n--) {
      const p = posix.join(dir, ...segs.slice(0, n));
      const hit = firstFile([`${p}.rs`, `${p}/mod.rs`]);
      if (hit) return hit;
    }
    return null;
  };

  return (from, specifier, language) => {
    if (JS_LANGS.has(language)) return js(from, specifier);
    if (language === 'python') return python(from, specifier);
    if (language === 'go') return go(specifier);
    if (language === 'ruby') return ruby(from, specifier);
    if (language === 'c' || language === 'cpp') return cFamily(from, specifier);
    if (language === 'java') return java(specifier);
    if (language === 'csharp') return csharp(specifier);
    if (language === 'php') return php(from, specifier);
    if (language === 'rust') return rust(from, specifier);
    return null;
  };
}
