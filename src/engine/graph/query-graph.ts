import type { GraphCall, GraphImport, GraphStore, GraphSymbol } from '../../store/graph.ts';

export interface CallEdge extends GraphCall {
  /** The definition the call resolved to; undefined when only the bare name matched. */
  target: GraphSymbol | undefined;
}

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
  const defs = store.symbolsNamed(call.callee);
  if (call.receiver === 'this') {
    const owner = ownerOf(call.caller);
    return defs.find((d) => d.path === call.path && d.qualified === `${owner}.${call.callee}`) ?? null;
  }
  const head = call.receiver === '' ? call.callee : call.receiver.split(/[.?]/)[0]!;
  const binding = imports.find((i) => i.names.includes(head));
  if (binding) {
    const target = binding.target;
    if (target === null) return undefined;
    // `from pkg import mod` then `mod.f()`: the module beside the package's __init__.py
    const dir = target.endsWith('/__init__.py') ? target.slice(0, -'__init__.py'.length) : undefined;
    const inModule = (p: string) =>
      p === target || (dir !== undefined && (p === `${dir}${head}.py` || p === `${dir}${head}/__init__.py`));
    return defs.find((d) => inModule(d.path) && d.exported) ?? null;
  }
  if (call.receiver === '') {
    const local = defs.filter((d) => d.path === call.path);
    return local.find((d) => !d.qualified.includes('.')) ?? local[0] ?? null;
  }
  return null;
}

/** Call sites of a definition: resolved ones, then bare-name matches nothing resolved (marked). */
export function callersOf(store: GraphStore, defs: readonly GraphSymbol[]): CallEdge[] {
  const names = new Set(defs.map((d) => d.name));
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

/** Files that depend on `path`, breadth first up to `depth` hops, with their distance. */
export function dependentsOf(store: GraphStore, path: string, depth: number): Map<string, number> {
  const seen = new Map<string, number>([[path, 0]]);
  let frontier = [path];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const importer of store.importersOf(f)) {
        if (seen.has(importer)) continue;
        seen.set(importer, d);
        next.push(importer);
      }
    }
    frontier = next;
  }
  seen.delete(path);
  return seen;
}

/** Files `path` imports and files that import it, within `depth` hops either way. */
export function relatedTo(store: GraphStore, path: string, depth: number): Map<string, number> {
  const seen = new Map<string, number>([[path, 0]]);
  let frontier = [path];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const f of frontier) {
      const near = [
        ...store.importsOf(f).flatMap((i) => (i.target ? [i.target] : [])),
        ...store.importersOf(f),
      ];
      for (const n of near) {
        if (seen.has(n)) continue;
        seen.set(n, d);
        next.push(n);
      }
    }
    frontier = next;
  }
  seen.delete(path);
  return seen;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The closest of `names` to `wanted`: substring matches first, then by edit distance. */
export function nearestNames(wanted: string, names: Iterable<string>, limit = 5): string[] {
  const w = wanted.toLowerCase();
  const scored: [string, number][] = [];
  for (const n of names) {
    if (n.length > 200 || Math.abs(n.length - w.length) > w.length) continue;
    const l = n.toLowerCase();
    const score = l.includes(w) || w.includes(l) ? Math.abs(l.length - w.length) / 100 : editDistance(w, l);
    if (score <= Math.max(3, w.length / 2)) scored.push([n, score]);
  }
  return scored
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([n]) => n);
}
