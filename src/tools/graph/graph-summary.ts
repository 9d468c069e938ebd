import type { GraphStore } from '../../store/graph.ts';

const n = (v: number) => v.toLocaleString('en-US');
const MOST_IMPORTED = 10;

/**
 * `Project Graph: N files, S symbols, E edges`, then files and lines per language and the
 * most imported files, all counted from the store.
 */
export function projectSummary(store: GraphStore): { text: string; files: string[] } {
  const counts = store.counts();
  const edges = store.importEdges();
  const byLanguage = new Map<string, { files: number; lines: number }>();
  for (const f of store.files()) {
    const l = byLanguage.get(f.language) ?? { files: 0, lines: 0 };
    l.files++;
    l.lines += f.lines;
    byLanguage.set(f.language, l);
  }
  const fanIn = new Map<string, number>();
  for (const e of edges) fanIn.set(e.to, (fanIn.get(e.to) ?? 0) + 1);
  const top = [...fanIn].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, MOST_IMPORTED);
  const text = [
    `Project Graph: ${n(counts.files)} files, ${n(counts.symbols)} symbols, ${n(edges.length)} edges (imports between files; ${n(counts.calls)} call sites)`,
    'by language:',
    ...[...byLanguage]
      .sort((a, b) => b[1].files - a[1].files || (a[0] < b[0] ? -1 : 1))
      .map(([lang, l]) => `  ${lang}: ${n(l.files)} files, ${n(l.lines)} lines`),
    top.length > 0 ? 'most imported:' : 'most imported: no file imports another',
    ...top.map(([path, c]) => `  ${path} (${c} importer${c === 1 ? '' : 's'})`),
  ].join('\n');
  return { text, files: top.map(([p]) => p) };
}
