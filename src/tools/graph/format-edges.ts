import type { CallEdge } from '../../engine/graph/query-graph.ts';
import type { GraphSymbol } from '../../store/graph.ts';

const MAX_EDGES = 200;

/** `path:line` of each definition. */
export const formatDefinitions = (defs: readonly GraphSymbol[]) =>
  defs.map((d) => `${d.path}:${d.startLine}`).join(', ');

/**
 * One edge a line: `  src/a.ts:12 → main`; unresolved bare-name matches last, marked `?`.
 * `side` picks what follows the arrow: the calling symbol or the called one.
 */
export function formatEdges(edges: readonly CallEdge[], side: 'caller' | 'callee'): string[] {
  const lines = edges.slice(0, MAX_EDGES).map((e) => {
    const mark = e.target ? ' ' : '?';
    const what =
      side === 'caller'
        ? (e.caller ?? '<module>')
        : `${e.receiver && e.receiver !== 'this' ? `${e.receiver}.` : ''}${e.callee}${e.target ? ` (${e.target.path}:${e.target.startLine})` : ''}`;
    return `${mark} ${e.path}:${e.line} → ${what}`;
  });
  if (edges.length > MAX_EDGES) lines.push(`… ${edges.length - MAX_EDGES} more`);
  const unresolved = edges.filter((e) => !e.target).length;
  if (unresolved > 0) lines.push(`(? = ${unresolved} bare-name match(es) the graph could not resolve)`);
  return lines;
}
