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

  return (from, specifier, language) => {
    if (JS_LANGS.has(language)) return js(from, specifier);
    if (language === 'python') return python(from, specifier);
    if (language === 'go') return go(specifier);
    return null;
  };
}
