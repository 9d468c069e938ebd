import { basename, dirname, posix } from 'node:path';
import { joinPath, type Route, type RouteMount } from './route.ts';

type FileMount = RouteMount & { file: string };

/** How deep `.configure` calls may nest before the chain is taken as it stands (and a cycle stops). */
const MAX_MOUNT_DEPTH = 8;

/** `users::config` names users.rs or users/mod.rs; a bare name its own file, else the one file that has it. */
function names(mount: FileMount, file: string, candidates: ReadonlySet<string>): boolean {
  if (mount.module !== undefined) {
    const base = basename(file);
    return base === `${mount.module}.rs` || (base === 'mod.rs' && basename(dirname(file)) === mount.module);
  }
  if (file === mount.file) return true;
  return !candidates.has(mount.file) && candidates.size === 1;
}

/** Files a relative specifier may name: TypeScript's ESM writes `./users.js` for users.ts. */
const JS_SUFFIXES = [
  '',
  '.js',
  '.ts',
  '.mjs',
  '.cjs',
  '.jsx',
  '.tsx',
  '/index.js',
  '/index.ts',
  '/index.mjs',
  '/index.cjs',
];

function resolveModule(from: string, spec: string, files: ReadonlySet<string>): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), spec));
  const stem = base.replace(/\.(?:[cm]?js|jsx)$/, '');
  for (const suffix of JS_SUFFIXES) {
    if (files.has(base + suffix)) return base + suffix;
    if (files.has(stem + suffix)) return stem + suffix;
  }
  return undefined;
}

/**
 * Puts Actix routes under the scopes that mount them from elsewhere: the routes of a function
 * passed to `.configure(f)`, and an attribute route whose handler is passed to `.service(h)`,
 * take the scope path around that call (and around the call that mounts its function, and so
 * on). Express `x.use('/p', r)` and Hono `x.route('/p', r)` do the same for the routes of the
 * router a relative module exports as `r`. A route mounted twice is listed twice; a route
 * nothing mounts keeps its own path.
 */
export function mountRoutes(routes: readonly Route[], mounts: readonly FileMount[]): Route[] {
  if (mounts.length === 0) return [...routes];
  // which files hold something a name may mount: functions (routes or mounts inside) and handlers
  const fnFiles = new Map<string, Set<string>>();
  const handlerFiles = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, name: string, file: string) =>
    map.set(name, (map.get(name) ?? new Set()).add(file));
  for (const r of routes) {
    if (r.mountedBy?.fn) add(fnFiles, r.mountedBy.fn, r.file);
    if (r.mountedBy?.handler) add(handlerFiles, r.mountedBy.handler, r.file);
  }
  for (const m of mounts) if (m.fn) add(fnFiles, m.fn, m.file);
  // by kind and name, so each route looks only at the calls that could mount it
  const byName = new Map<string, FileMount[]>();
  for (const m of mounts)
    byName.set(`${m.kind} ${m.name}`, [...(byName.get(`${m.kind} ${m.name}`) ?? []), m]);
  const none = new Set<string>();
  const configuring = (fn: string, file: string) =>
    (byName.get(`configure ${fn}`) ?? []).filter((m) => names(m, file, fnFiles.get(fn) ?? none));
  const files = new Set([...routes.map((r) => r.file), ...mounts.map((m) => m.file)]);
  const uses = mounts
    .filter((m) => m.kind === 'use' && m.module !== undefined)
    .map((m) => ({ mount: m, target: resolveModule(m.file, m.module as string, files) }));
  const using = (file: string, exports: readonly string[]) =>
    uses.filter((u) => u.target === file && exports.includes(u.mount.name)).map((u) => u.mount);
  const prefixesOf = (mount: FileMount, depth: number): string[] => {
    const parents =
      depth >= MAX_MOUNT_DEPTH
        ? []
        : mount.kind === 'use'
          ? using(mount.file, mount.exports ?? [])
          : mount.fn
            ? configuring(mount.fn, mount.file)
            : [];
    if (parents.length === 0) return [mount.prefix];
    return parents.flatMap((p) => prefixesOf(p, depth + 1).map((outer) => joinPath(outer, mount.prefix)));
  };
  const out: Route[] = [];
  const seen = new Set<string>();
  for (const route of routes) {
    const handler = route.mountedBy?.handler;
    const fn = route.mountedBy?.fn;
    const exported = route.mountedBy?.exports;
    const through = exported
      ? using(route.file, exported)
      : handler
        ? (byName.get(`service ${handler}`) ?? []).filter((m) =>
            names(m, route.file, handlerFiles.get(handler) ?? none),
          )
        : fn
          ? configuring(fn, route.file)
          : [];
    const paths =
      through.length === 0
        ? [route.path]
        : through.flatMap((m) => prefixesOf(m, 0)).map((prefix) => joinPath(prefix, route.path));
    for (const path of paths) {
      const key = `${route.method} ${path} ${route.file}:${route.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ...route, path });
    }
  }
  return out;
}
