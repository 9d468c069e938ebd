import type { GraphCall, GraphImport, GraphStore, GraphSymbol } from '../../store/graph.ts';

export interface CallEdge extends GraphCall {
  /** The definition the call resolved to; undefined when only the bare name matched. */
  target: GraphSymbol | undefined;
}

/**
 * The store's lookups, each remembered for the length of one answer: resolving a few hundred
 * call sites asks for the same names, imports and importers over and over. The arrays it hands
 * out are shared, so no caller may change them.
 */
export function lookupsOnce(store: GraphStore): GraphStore {
  const once = <T>(fn: (key: string) => T) => {
    const seen = new Map<string, T>();
    return (key: string): T => {
      let v = seen.get(key);
      if (v === undefined) {
        v = fn(key);
        seen.set(key, v);
      }
      return v;
    };
  };
  return {
    ...store,
    symbolsNamed: once((name) => store.symbolsNamed(name)),
    importsOf: once((path) => store.importsOf(path)),
    importersOf: once((path) => store.importersOf(path)),
    renamingImportsTo: once((path) => store.renamingImportsTo(path)),
  };
}

/** `a.localeCompare(b)` with one collator made once, not one looked up per comparison. */
const byLocale = new Intl.Collator().compare;

/**
 * Each path's place in locale order, paths the collator holds equal sharing one: a sort by
 * rank orders as one by `byLocale`, with one collation per distinct path instead of per comparison.
 */
function localeRanks(paths: readonly string[]): Map<string, number> {
  const sorted = [...new Set(paths)].sort(byLocale);
  const rank = new Map<string, number>();
  sorted.forEach((p, i) => {
    const prev = sorted[i - 1];
    rank.set(p, prev !== undefined && byLocale(prev, p) === 0 ? rank.get(prev)! : i);
  });
  return rank;
}

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/') + 1);
const ownerOf = (qualified: string | null) =>
  qualified?.includes('.') ? qualified.slice(0, qualified.lastIndexOf('.')) : undefined;

/** `Class.method` or `method` → the definitions it names, optionally in one file. */
export function definitionsOf(store: GraphStore, symbol: string, file?: string): GraphSymbol[] {
  const dot = symbol.lastIndexOf('.');
  const name = symbol.slice(dot + 1);
  return store
    .symbolsNamed(name)
    .filter((s) => (dot === -1 || s.qualified === symbol) && (file === undefined || s.path === file));
}

/** Re-export and import hops followed from a module to the definition it offers. */
const MAX_HOPS = 8;

/**
 * The exported definition of `name` that `file` offers: its own, or one it passes on by
 * `export * from`, `export { a as name } from`, or an import it exports again (a barrel
 * index.ts, a Python `__init__.py`), breadth first over at most MAX_HOPS hops.
 */
function offeredBy(store: GraphStore, file: string, name: string): GraphSymbol | undefined {
  const seen = new Set<string>();
  let frontier: [string, string][] = [[file, name]];
  for (let hop = 0; hop <= MAX_HOPS && frontier.length > 0; hop++) {
    const next: [string, string][] = [];
    for (const [f, n] of frontier) {
      if (seen.has(`${f}\0${n}`)) continue;
      seen.add(`${f}\0${n}`);
      const own = store.symbolsNamed(n).find((d) => d.path === f && d.exported);
      if (own) return own;
      for (const imp of store.importsOf(f)) {
        if (!imp.target) continue;
        const passed = imp.reexports?.[n];
        if (passed !== undefined && passed !== '*') next.push([imp.target, passed]);
        if (imp.reexports?.['*'] === '*') next.push([imp.target, n]);
        if (imp.names.includes(n)) next.push([imp.target, imp.aliases[n] ?? n]);
      }
    }
    frontier = next;
  }
  return undefined;
}

/**
 * The module a namespace member names: `ns` re-exported by `export * as ns` (here or through
 * `export *`) or, unless `reexportOnly`, imported as `* as ns`.
 */
function namespaceIn(
  store: GraphStore,
  file: string,
  member: string,
  reexportOnly = false,
): string | undefined {
  const seen = new Set<string>();
  let frontier = [file];
  for (let hop = 0; hop <= MAX_HOPS && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const f of frontier) {
      if (seen.has(f)) continue;
      seen.add(f);
      for (const imp of store.importsOf(f)) {
        if (!imp.target) continue;
        if (imp.reexports?.[member] === '*' || (!reexportOnly && hop === 0 && imp.names.includes(member)))
          return imp.target;
        if (imp.reexports?.['*'] === '*') next.push(imp.target);
      }
    }
    frontier = next;
  }
  return undefined;
}

/** The name an import would have to bind for a call to go through it: the callee or the receiver's first part. */
function headOf(call: GraphCall): string {
  if (call.receiver === '') return call.callee;
  const dot = call.receiver.search(/\??\./);
  return dot === -1 ? call.receiver : call.receiver.slice(0, dot);
}

/**
 * Where a call lands: the same file's definition, an imported binding's file (through
 * re-exports and namespace members like `z.core.f()`), or the caller's own class for
 * `this`/`self`. `undefined` when it lands outside the graph (a package) or nowhere the graph
 * can tell; `null` when nothing resolved it either way.
 */
export function resolveCall(
  store: GraphStore,
  call: GraphCall,
  imports: readonly GraphImport[],
): GraphSymbol | null | undefined {
  const path = call.receiver === '' ? [] : call.receiver.split(/\??\./);
  const head = headOf(call);
  const binding = call.receiver === 'this' ? undefined : imports.find((i) => i.names.includes(head));
  const name = call.receiver === '' ? (binding?.aliases[head] ?? call.callee) : call.callee;
  const defs = store.symbolsNamed(name);
  if (call.receiver === 'this') {
    const owner = ownerOf(call.caller);
    return defs.find((d) => d.path === call.path && d.qualified === `${owner}.${call.callee}`) ?? null;
  }
  if (binding) {
    const target = binding.target;
    if (target === null) return undefined;
    // `from pkg import mod` then `mod.f()`: the module beside the package's __init__.py
    const dir = target.endsWith('/__init__.py') ? target.slice(0, -'__init__.py'.length) : undefined;
    // a Go import names a package: any file of its directory
    const goDir = target.endsWith('.go') ? dirOf(target) : undefined;
    const inModule = (p: string) =>
      p === target ||
      (dir !== undefined && (p === `${dir}${head}.py` || p === `${dir}${head}/__init__.py`)) ||
      (goDir !== undefined && p.endsWith('.go') && dirOf(p) === goDir);
    const direct = defs.find((d) => inModule(d.path) && d.exported);
    if (direct || goDir !== undefined) return direct ?? null;
    // `ns.inner.f()`: each member after the binding a namespace the module passes on; a
    // named import can itself be one (`import { util } from` an `export * as util from`)
    let module: string | undefined =
      namespaceIn(store, target, binding.aliases[head] ?? head, true) ?? target;
    for (const member of path.slice(1)) module = module && namespaceIn(store, module, member);
    return module === undefined ? null : (offeredBy(store, module, name) ?? null);
  }
  if (call.receiver === '') {
    const local = defs.filter((d) => d.path === call.path);
    const own = local.find((d) => !d.qualified.includes('.')) ?? local[0];
    if (own || !call.path.endsWith('.go')) return own ?? null;
    // Go: a bare call reaches the whole package, every file of the directory
    const dir = dirOf(call.path);
    return (
      defs.find((d) => d.path.endsWith('.go') && dirOf(d.path) === dir && !d.qualified.includes('.')) ?? null
    );
  }
  return null;
}

/**
 * The names other files may call a definition by: its own, renamed imports (`import { f as g }`)
 * and renamed re-exports (`export { f as g } from`), through barrels that pass it on.
 */
function namesOf(store: GraphStore, def: GraphSymbol): Set<string> {
  const names = new Set([def.name]);
  const seen = new Set<string>();
  let frontier: [string, string][] = [[def.path, def.name]];
  for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
    const next: [string, string][] = [];
    for (const [file, name] of frontier) {
      if (seen.has(`${file}\0${name}`)) continue;
      seen.add(`${file}\0${name}`);
      for (const imp of store.renamingImportsTo(file)) {
        for (const [local, imported] of Object.entries(imp.aliases)) if (imported === name) names.add(local);
        for (const [exported, imported] of Object.entries(imp.reexports ?? {})) {
          if (imported !== name) continue;
          names.add(exported);
          next.push([imp.from, exported]);
        }
        if (imp.reexports?.['*'] === '*') next.push([imp.from, name]);
      }
    }
    frontier = next;
  }
  return names;
}

/** Call sites of a definition: resolved ones, then bare-name matches nothing resolved (marked). */
export function callersOf(graph: GraphStore, defs: readonly GraphSymbol[]): CallEdge[] {
  const store = lookupsOnce(graph);
  const names = new Set<string>();
  for (const def of defs) for (const n of namesOf(store, def)) names.add(n);
  const wanted = new Set(defs.map((d) => `${d.path}\0${d.qualified}`));
  const edges: CallEdge[] = [];
  const none: GraphImport[] = [];
  for (const name of names) {
    const calls = store.callsTo(name);
    // a call resolves through an import only when the import binds the call's head: those are
    // all a calling file's imports that matter, fetched for every calling file at once
    const bindings = new Map<string, GraphImport[]>();
    const heads = new Set<string>();
    for (const call of calls) if (call.receiver !== 'this') heads.add(headOf(call));
    for (const imp of store.bindingsIn([...new Set(calls.map((c) => c.path))], [...heads])) {
      const inFile = bindings.get(imp.from);
      if (inFile) inFile.push(imp);
      else bindings.set(imp.from, [imp]);
    }
    for (const call of calls) {
      const target = resolveCall(store, call, bindings.get(call.path) ?? none);
      if (target === undefined) continue;
      if (target === null) edges.push({ ...call, target: undefined });
      else if (wanted.has(`${target.path}\0${target.qualified}`)) edges.push({ ...call, target });
    }
  }
  const rank = localeRanks(edges.map((e) => e.path));
  return edges.sort(
    (a, b) =>
      Number(!a.target) - Number(!b.target) || rank.get(a.path)! - rank.get(b.path)! || a.line - b.line,
  );
}

/** Calls made inside each definition, resolved where the graph can. */
export function calleesOf(graph: GraphStore, defs: readonly GraphSymbol[]): CallEdge[] {
  const store = lookupsOnce(graph);
  const edges: CallEdge[] = [];
  for (const def of defs) {
    const imports = store.importsOf(def.path);
    for (const call of store.callsIn(def.path, def.startLine, def.endLine)) {
      if (call.caller !== def.qualified) continue;
      edges.push({ ...call, target: resolveCall(store, call, imports) ?? undefined });
    }
  }
  return edges;
}

/** Files reachable from `path` by `next`, breadth first up to `depth` hops, with their distance. */
function hopsFrom(path: string, depth: number, next: (file: string) => string[]): Map<string, number> {
  const seen = new Map<string, number>([[path, 0]]);
  let frontier = [path];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const reached: string[] = [];
    for (const f of frontier) {
      for (const n of next(f)) {
        if (seen.has(n)) continue;
        seen.set(n, d);
        reached.push(n);
      }
    }
    frontier = reached;
  }
  seen.delete(path);
  return seen;
}

/** Files that depend on `path`, up to `depth` hops. */
export const dependentsOf = (store: GraphStore, path: string, depth: number) =>
  hopsFrom(path, depth, (f) => store.importersOf(f));

/** Files `path` imports and files that import it, within `depth` hops either way. */
export const relatedTo = (store: GraphStore, path: string, depth: number) =>
  hopsFrom(path, depth, (f) => [
    ...store.importsOf(f).flatMap((i) => (i.target ? [i.target] : [])),
    ...store.importersOf(f),
  ]);
