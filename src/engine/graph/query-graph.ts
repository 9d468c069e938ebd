import type { GraphCall, GraphImport, GraphStore, GraphSymbol } from '../../store/graph.ts';

export interface CallEdge extends GraphCall {
  /** The definition the call resolved to; undefined when only the bare name matched. */
  target: GraphSymbol | undefined;
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

/**
 * Where a call lands: the same file's definition, an imported binding's file, or the caller's
 * own class for `this`/`self`. `undefined` when it lands outside the graph (a package) or
 * nowhere the graph can tell; `null` when nothing resolved it either way.
 */
export function resolveCall(
  store: GraphStore,
  call: GraphCall,
  imports: readonly GraphImport[],
): GraphSymbol | null | undefined {
  const head = call.receiver === '' ? call.callee : call.receiver.split(/[.?]/)[0]!;
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
    return defs.find((d) => inModule(d.path) && d.exported) ?? null;
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

/** Call sites of a definition: resolved ones, then bare-name matches nothing resolved (marked). */
export function callersOf(store: GraphStore, defs: readonly GraphSymbol[]): CallEdge[] {
  const names = new Set(defs.map((d) => d.name));
  // `import { f as g }` calls g: the local names other files gave these definitions
  for (const def of defs) {
    for (const importer of store.importersOf(def.path)) {
      for (const imp of store.importsOf(importer)) {
        if (imp.target !== def.path) continue;
        for (const [local, imported] of Object.entries(imp.aliases))
          if (imported === def.name) names.add(local);
      }
    }
  }
  const wanted = new Set(defs.map((d) => `${d.path}\0${d.qualified}`));
  const importsByFile = new Map<string, GraphImport[]>();
  const edges: CallEdge[] = [];
  for (const name of names) {
    for (const call of store.callsTo(name)) {
      let imports = importsByFile.get(call.path);
      if (!imports) {
        imports = store.importsOf(call.path);
        importsByFile.set(call.path, imports);
      }
      const target = resolveCall(store, call, imports);
      if (target === undefined) continue;
      if (target === null) edges.push({ ...call, target: undefined });
      else if (wanted.has(`${target.path}\0${target.qualified}`)) edges.push({ ...call, target });
    }
  }
  return edges.sort(
    (a, b) => Number(!a.target) - Number(!b.target) || a.path.localeCompare(b.path) || a.line - b.line,
  );
}

/** Calls made inside each definition, resolved where the graph can. */
export function calleesOf(store: GraphStore, defs: readonly GraphSymbol[]): CallEdge[] {
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
