import type { GraphStore, GraphSymbol } from '../../store/graph.ts';
import { clusterDepth } from './architecture.ts';
import { directoryOf, type FileGraph, reachWithin } from './file-graph.ts';
import { calleesOf } from './query-graph.ts';

/** Nodes drawn at most; past that the diagram says how many were left out. */
export const MAX_DIAGRAM_NODES = 40;

export interface Diagram {
  /** Mermaid source (`graph LR …`). */
  mermaid: string;
  /** Nodes drawn, and nodes reached but left out. */
  drawn: number;
  hidden: number;
  /** Workspace files the diagram stands for. */
  files: string[];
}

/**
 * A label Mermaid shows as written: inside double quotes, with the characters that end a
 * quoted label or start markup or an entity written as numeric entities.
 */
export function mermaidLabel(text: string): string {
  const safe = text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters would break the line
    .replace(/[\u0000-\u001f\u007f]/g, ' ')
    .replace(/#/g, '#35;')
    .replace(/"/g, '#34;')
    .replace(/</g, '#60;')
    .replace(/>/g, '#62;')
    .replace(/`/g, '#96;');
  return `"${safe}"`;
}

interface DrawnNode {
  key: string;
  label: string;
}

/** Mermaid text of nodes (ids n0, n1 … never taken from the labels) and edges between drawn nodes. */
function toMermaid(
  nodes: readonly DrawnNode[],
  edges: readonly { from: string; to: string; label?: string }[],
  hidden: number,
  hiddenWhat: string,
  focus?: string,
): string {
  const id = new Map(nodes.map((n, i) => [n.key, `n${i}`]));
  const lines = ['graph LR'];
  for (const n of nodes) lines.push(`  ${id.get(n.key)}[${mermaidLabel(n.label)}]`);
  for (const e of edges) {
    const a = id.get(e.from);
    const b = id.get(e.to);
    if (a === undefined || b === undefined) continue;
    lines.push(e.label ? `  ${a} -->|${mermaidLabel(e.label)}| ${b}` : `  ${a} --> ${b}`);
  }
  if (hidden > 0) lines.push(`  more[${mermaidLabel(`+${hidden} more ${hiddenWhat}`)}]`);
  const focusId = focus === undefined ? undefined : id.get(focus);
  if (focusId) lines.push(`  style ${focusId} stroke-width:3px`);
  return lines.join('\n');
}

/** The files `path` imports and the files importing it, each within `depth` hops, nearest first. */
export function dependencyDiagram(g: FileGraph, path: string, depth: number): Diagram {
  const start = g.indexOf.get(path);
  if (start === undefined) throw new Error(`${path} is not in the graph`);
  const reached = new Map<number, number>([[start, 0]]);
  for (const next of [(n: number) => g.out[n]!, (n: number) => g.in[n]!]) {
    for (const [n, { hops }] of reachWithin(start, depth, next))
      reached.set(n, Math.min(hops, reached.get(n) ?? hops));
  }
  const order = [...reached].sort((a, b) => a[1] - b[1] || (g.paths[a[0]]! < g.paths[b[0]]! ? -1 : 1));
  const shown = order.slice(0, MAX_DIAGRAM_NODES).map(([n]) => n);
  const drawn = new Set(shown);
  const edges = shown.flatMap((n) =>
    g.out[n]!.filter((m) => drawn.has(m)).map((m) => ({ from: g.paths[n]!, to: g.paths[m]! })),
  );
  const files = shown.map((n) => g.paths[n]!);
  const hidden = order.length - shown.length;
  return {
    mermaid: toMermaid(
      files.map((f) => ({ key: f, label: f })),
      edges,
      hidden,
      'files',
      path,
    ),
    drawn: shown.length,
    hidden,
    files,
  };
}

/** Directories (at the clusters' depth) and how many imports run between them, the busiest first. */
export function directoryDiagram(g: FileGraph): Diagram {
  const depth = clusterDepth(g.paths);
  const dirOf = g.paths.map((p) => directoryOf(p, depth));
  const weight = new Map<string, number>();
  const degree = new Map<string, number>();
  for (const d of dirOf) degree.set(d, degree.get(d) ?? 0);
  g.out.forEach((targets, a) => {
    for (const b of targets) {
      const [da, db] = [dirOf[a]!, dirOf[b]!];
      if (da === db) continue;
      const key = `${da}\0${db}`;
      weight.set(key, (weight.get(key) ?? 0) + 1);
      degree.set(da, degree.get(da)! + 1);
      degree.set(db, degree.get(db)! + 1);
    }
  });
  const dirs = [...degree].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([d]) => d);
  const shown = dirs.slice(0, MAX_DIAGRAM_NODES);
  const edges = [...weight].map(([key, n]) => {
    const [from, to] = key.split('\0') as [string, string];
    return { from, to, label: String(n) };
  });
  const hidden = dirs.length - shown.length;
  return {
    mermaid: toMermaid(
      shown.map((d) => ({ key: d, label: `${d}/` })),
      edges,
      hidden,
      'directories',
    ),
    drawn: shown.length,
    hidden,
    files: [],
  };
}

const symbolKey = (s: GraphSymbol) => `${s.path}\0${s.qualified}`;

/** What the given definitions call, and what that calls, `depth` levels deep (resolved calls only). */
export function callDiagram(store: GraphStore, defs: readonly GraphSymbol[], depth: number): Diagram {
  const nodes = new Map<string, GraphSymbol>(defs.map((d) => [symbolKey(d), d]));
  const edges = new Map<string, { from: string; to: string }>();
  let unresolved = 0;
  let frontier = [...defs];
  const left = new Set<string>();
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: GraphSymbol[] = [];
    for (const def of frontier) {
      for (const call of calleesOf(store, [def])) {
        if (!call.target) {
          unresolved++;
          continue;
        }
        const key = symbolKey(call.target);
        if (!nodes.has(key)) {
          if (nodes.size >= MAX_DIAGRAM_NODES) {
            left.add(key);
            continue;
          }
          nodes.set(key, call.target);
          next.push(call.target);
        }
        edges.set(`${symbolKey(def)}\0${key}`, { from: symbolKey(def), to: key });
      }
    }
    frontier = next;
  }
  const list = [...nodes.values()];
  const mermaid = toMermaid(
    list.map((s) => ({ key: symbolKey(s), label: `${s.qualified} ${s.path}:${s.startLine}` })),
    [...edges.values()],
    left.size,
    'callees',
  );
  const note =
    unresolved > 0
      ? `\n  %% ${unresolved} call(s) into packages or to names the graph could not resolve are not drawn`
      : '';
  return {
    mermaid: mermaid + note,
    drawn: list.length,
    hidden: left.size,
    files: [...new Set(list.map((s) => s.path))],
  };
}
