import { balanced, joinPath, type RouteMount, splitArgs } from './route.ts';

/** What a local name stands for when it came from another module. */
interface Imported {
  spec: string;
  /** The export it is: `default` (also a CommonJS module.exports), a name, or `*` for a namespace. */
  export: string;
}

const IDENT = '[A-Za-z_$][\\w$]*';
const REQUIRE_DEFAULT = new RegExp(
  `\\b(?:const|let|var)\\s+(${IDENT})\\s*=\\s*require\\(\\s*['"](\\.{1,2}/[^'"]*)['"]\\s*\\)`,
  'g',
);
const REQUIRE_DESTRUCTURED =
  /\b(?:const|let|var)\s*\{([^}]*)\}\s*=\s*require\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)/g;
const IMPORT = /\bimport\s+([^'";]+?)\s+from\s+['"](\.{1,2}\/[^'"]*)['"]/g;
/** `app.use('/p', …)` (Express) and `app.route('/p', sub)` (Hono): another router under a path. */
const MOUNT_CALL = new RegExp(
  `\\b(${IDENT})\\s*\\.\\s*(use|route)\\s*\\(\\s*(['"\`])(\\/[^'"\`\\n]*)\\3\\s*,`,
  'g',
);

/** `a, b: c` of a destructuring, or `a, b as c` of an import list: local name → exported name. */
function namedList(list: string, separator: ':' | 'as'): [string, string][] {
  return list
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .flatMap((part): [string, string][] => {
      const [exported, local] = part.split(separator === ':' ? ':' : /\s+as\s+/).map((s) => s.trim());
      return exported ? [[local || exported, exported]] : [];
    });
}

function importsOf(text: string): Map<string, Imported> {
  const names = new Map<string, Imported>();
  for (const m of text.matchAll(REQUIRE_DEFAULT)) names.set(m[1]!, { spec: m[2]!, export: 'default' });
  for (const m of text.matchAll(REQUIRE_DESTRUCTURED)) {
    for (const [local, exported] of namedList(m[1]!, ':'))
      names.set(local, { spec: m[2]!, export: exported });
  }
  for (const m of text.matchAll(IMPORT)) {
    const clause = m[1]!.trim();
    const spec = m[2]!;
    const ns = new RegExp(`^\\*\\s+as\\s+(${IDENT})$`).exec(clause);
    if (ns) {
      names.set(ns[1]!, { spec, export: '*' });
      continue;
    }
    const def = new RegExp(`^(${IDENT})\\s*(?:,|$)`).exec(clause);
    if (def) names.set(def[1]!, { spec, export: 'default' });
    const braces = /\{([^}]*)\}/.exec(clause);
    if (braces)
      for (const [local, exported] of namedList(braces[1]!, 'as'))
        names.set(local, { spec, export: exported });
  }
  return names;
}

/** The names under which a file exports each local variable (`module.exports = r` is `default`). */
export function exportsOf(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (local: string, exported: string) => out.set(local, [...(out.get(local) ?? []), exported]);
  for (const m of text.matchAll(new RegExp(`\\bmodule\\.exports\\s*=\\s*(${IDENT})\\s*;?\\s*$`, 'gm')))
    add(m[1]!, 'default');
  for (const m of text.matchAll(new RegExp(`\\bexport\\s+default\\s+(${IDENT})\\s*;?\\s*$`, 'gm')))
    add(m[1]!, 'default');
  for (const m of text.matchAll(
    new RegExp(`\\b(?:module\\.)?exports\\.(${IDENT})\\s*=\\s*(${IDENT})\\b`, 'g'),
  ))
    add(m[2]!, m[1]!);
  for (const m of text.matchAll(new RegExp(`\\bexport\\s+(?:const|let|var)\\s+(${IDENT})\\b`, 'g')))
    add(m[1]!, m[1]!);
  for (const m of text.matchAll(/\bmodule\.exports\s*=\s*\{/g)) {
    const body = balanced(text, m.index + m[0].length - 1);
    for (const [local, exported] of namedList(body.slice(1, -1), ':')) {
      if (new RegExp(`^${IDENT}$`).test(local)) add(local, exported);
    }
  }
  for (const m of text.matchAll(/\bexport\s*\{([^}]*)\}/g)) {
    for (const [exported, local] of namedList(m[1]!, 'as').map(([l, e]) => [l, e] as const))
      add(local, exported);
  }
  return out;
}

/**
 * `x.use('/p', r)` and `x.route('/p', r)` whose `r` came from a relative module: the routes
 * that module declares on the router it exports as `r` go under `/p` (and under x's own
 * mounts, when x is exported and mounted elsewhere).
 */
export function jsMounts(
  text: string,
  routers: ReadonlyMap<string, string>,
  exported: Map<string, string[]>,
): RouteMount[] {
  const imports = importsOf(text);
  const mounts: RouteMount[] = [];
  for (const m of text.matchAll(MOUNT_CALL)) {
    const owner = m[1]!;
    const base = routers.get(owner);
    if (base === undefined) continue;
    const args = splitArgs(balanced(text, text.indexOf('(', m.index + owner.length)));
    for (const arg of args.slice(1)) {
      let target: Imported | undefined;
      const inline = /^require\(\s*['"](\.{1,2}\/[^'"]*)['"]\s*\)(?:\s*\.\s*([A-Za-z_$][\w$]*))?$/.exec(arg);
      const member = new RegExp(`^(${IDENT})(?:\\s*\\.\\s*(${IDENT}))?$`).exec(arg);
      if (inline) target = { spec: inline[1]!, export: inline[2] ?? 'default' };
      else if (member) {
        const from = imports.get(member[1]!);
        if (from && member[2])
          target =
            from.export === 'default' || from.export === '*'
              ? { spec: from.spec, export: member[2] }
              : undefined;
        else if (from && from.export !== '*') target = from;
      }
      if (!target) continue;
      const owned = exported.get(owner);
      mounts.push({
        kind: 'use',
        name: target.export,
        module: target.spec,
        prefix: joinPath(base, m[4]),
        ...(owned ? { exports: owned } : {}),
      });
    }
  }
  return mounts;
}
