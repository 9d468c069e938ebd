import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import type { ToolContext } from '../define-tool.ts';
import { graphFileOf, graphOf } from './graph-of.ts';

const n = (v: number) => v.toLocaleString('en-US');

/**
 * `Project Graph: N files, S symbols, E edges`, then files and lines per language and the
 * most imported files, all counted from the graph (on a worker thread).
 */
export async function projectSummary(ctx: ToolContext): Promise<{ text: string; files: string[] }> {
  const counts = graphOf(ctx.workspace).store.counts();
  const s = await runEngineTask('graphSummary', { file: graphFileOf(ctx.workspace) }, { signal: ctx.signal });
  const text = [
    `Project Graph: ${n(s.files)} files, ${n(counts.symbols)} symbols, ${n(s.edges)} edges (imports between files; ${n(counts.calls)} call sites)`,
    'by language:',
    ...s.languages.map(([lang, files, lines]) => `  ${lang}: ${n(files)} files, ${n(lines)} lines`),
    s.mostImported.length > 0 ? 'most imported:' : 'most imported: no file imports another',
    ...s.mostImported.map(([path, c]) => `  ${path} (${c} importer${c === 1 ? '' : 's'})`),
  ].join('\n');
  return { text, files: s.mostImported.map(([p]) => p) };
}
