import type { GraphStore } from '../../store/graph.ts';
import { importLines } from './import-lines.ts';
import { createImportResolver } from './resolve-import.ts';

/** A file that depends on the changed one: `hops` import steps away, through `via` (which it imports, at `line`). */
export interface ImpactedFile {
  path: string;
  hops: number;
  via: string;
  line?: number;
}

/** One step of an import chain: `from` imports `to` at `line`. */
export interface ChainStep {
  from: string;
  to: string;
  line?: number;
}

export type ChainAnswer =
  | { found: true; steps: ChainStep[] }
  | { found: false; reason: string; reverse?: ChainStep[] };

/** Files with a line read from their text at most; the rest are listed without one. */
const MAX_LINES_READ = 200;

/**
 * Files that import `path`, directly or through others, up to `depth` hops, nearest first;
 * each with the import that ties it in (`file:line`) for the first 200; `keep` filters the list.
 */
export async function impactOf(
  root: string,
  store: GraphStore,
  path: string,
  depth: number,
  keep: (file: string) => boolean = () => true,
): Promise<ImpactedFile[]> {
  const seen = new Map<string, ImpactedFile>();
  let frontier = [path];
  for (let hops = 1; hops <= depth && frontier.length > 0; hops++) {
    const reached: string[] = [];
    for (const via of frontier) {
      for (const importer of store.importersOf(via)) {
        if (importer === path || seen.has(importer)) continue;
        seen.set(importer, { path: importer, hops, via });
        reached.push(importer);
      }
    }
    frontier = reached;
  }
  const files = [...seen.values()]
    .filter((f) => keep(f.path))
    .sort((a, b) => a.hops - b.hops || (a.path < b.path ? -1 : 1));
  const lines = await importLines(
    root,
    store,
    files.slice(0, MAX_LINES_READ).map((f) => ({ from: f.path, to: f.via })),
  );
  for (const f of files) {
    const line = lines.get(`${f.path}\0${f.via}`);
    if (line !== undefined) f.line = line;
  }
  return files;
}

const importsFrom = (store: GraphStore, path: string) => [
  ...new Set(store.importsOf(path).flatMap((i) => (i.target && i.target !== path ? [i.target] : []))),
];

/** The shortest import path `from` → … → `to` by breadth-first search, as steps; undefined when none. */
function shortestSteps(store: GraphStore, from: string, to: string): ChainStep[] | undefined {
  const parent = new Map<string, string>([[from, from]]);
  let frontier = [from];
  while (frontier.length > 0 && !parent.has(to)) {
    const next: string[] = [];
    for (const f of frontier) {
      for (const t of importsFrom(store, f)) {
        if (parent.has(t)) continue;
        parent.set(t, f);
        next.push(t);
      }
    }
    frontier = next;
  }
  if (!parent.has(to) || from === to) return undefined;
  const steps: ChainStep[] = [];
  for (let at = to; at !== from; at = parent.get(at)!) steps.unshift({ from: parent.get(at)!, to: at });
  return steps;
}

async function withLines(root: string, store: GraphStore, steps: ChainStep[]): Promise<ChainStep[]> {
  const lines = await importLines(root, store, steps);
  return steps.map((s) => {
    const line = lines.get(`${s.from}\0${s.to}`);
    return line === undefined ? s : { ...s, line };
  });
}

/** The shortest chain of imports by which `from` depends on `to`, or why there is none. */
export async function importChain(
  root: string,
  store: GraphStore,
  from: string,
  to: string,
): Promise<ChainAnswer> {
  if (from === to) return { found: false, reason: `"${from}" and "${to}" are the same file` };
  const steps = shortestSteps(store, from, to);
  if (steps) return { found: true, steps: await withLines(root, store, steps) };
  const reverse = shortestSteps(store, to, from);
  const why =
    importsFrom(store, from).length === 0
      ? `${from} imports no workspace file`
      : store.importersOf(to).length === 0
        ? `no file imports ${to}`
        : `${to} is not among the files ${from} reaches through its imports`;
  return reverse
    ? { found: false, reason: why, reverse: await withLines(root, store, reverse) }
    : { found: false, reason: why };
}

/**
 * Files that still import a deleted file: imports that resolve to nothing now but would
 * resolve to it were it there. deleted path → its former importers with the importing line.
 */
export async function formerImporters(
  root: string,
  store: GraphStore,
  deleted: readonly string[],
): Promise<Map<string, ImpactedFile[]>> {
  const found = new Map<string, ImpactedFile[]>(deleted.map((d) => [d, []]));
  if (deleted.length === 0) return found;
  const gone = new Set(deleted);
  const resolve = createImportResolver(root, new Set([...store.stats().keys(), ...deleted]));
  const edges: { from: string; to: string; specifiers: string[] }[] = [];
  for (const imp of store.unresolvedImports()) {
    const target = resolve(imp.from, imp.specifier, store.file(imp.from)?.language ?? '');
    if (target === null || !gone.has(target)) continue;
    const edge = edges.find((e) => e.from === imp.from && e.to === target);
    if (edge) edge.specifiers.push(imp.specifier);
    else edges.push({ from: imp.from, to: target, specifiers: [imp.specifier] });
  }
  const lines = await importLines(root, store, edges.slice(0, MAX_LINES_READ));
  for (const e of edges) {
    const line = lines.get(`${e.from}\0${e.to}`);
    found.get(e.to)!.push({ path: e.from, hops: 1, via: e.to, ...(line === undefined ? {} : { line }) });
  }
  return found;
}
