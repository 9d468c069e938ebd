import { z } from 'zod';
import { type CallEdge, calleesOf, callersOf } from '../../engine/graph/query-graph.ts';
import { type MeasuredText, withSavingsFooter } from '../../engine/savings.ts';
import type { ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { currentGraph, formatProgress, requireDefinitions, tokensOfFiles } from './graph-of.ts';

const MAX_EDGES = 200;

/** ctx_callers and ctx_callees take the same arguments. */
export const callEdgesInput = z.object({
  symbol: z.string().min(1).max(INPUT_LIMITS.nameChars).describe('A name, or Class.method'),
  file: z.string().max(INPUT_LIMITS.globChars).optional().describe('Only the definition in this file'),
});

/**
 * One edge a line: `  src/a.ts:12 → main`; unresolved bare-name matches last, marked `?`.
 * Callers name the calling symbol; callees the called one and where it is defined.
 */
function formatEdges(edges: readonly CallEdge[], direction: 'callers' | 'callees'): string[] {
  const lines = edges.slice(0, MAX_EDGES).map((e) => {
    const mark = e.target ? ' ' : '?';
    const receiver = e.receiver && e.receiver !== 'this' ? `${e.receiver}.` : '';
    const where = e.target ? ` (${e.target.path}:${e.target.startLine})` : '';
    const what = direction === 'callers' ? (e.caller ?? '<module>') : `${receiver}${e.callee}${where}`;
    return `${mark} ${e.path}:${e.line} → ${what}`;
  });
  if (edges.length > MAX_EDGES) lines.push(`… ${edges.length - MAX_EDGES} more`);
  const unresolved = edges.filter((e) => !e.target).length;
  if (unresolved > 0) lines.push(`(? = ${unresolved} bare-name match(es) the graph could not resolve)`);
  return lines;
}

/** The answer of ctx_callers or ctx_callees; savings against the files an agent would have read. */
export async function answerCallEdges(
  args: z.output<typeof callEdgesInput>,
  ctx: ToolContext,
  direction: 'callers' | 'callees',
): Promise<MeasuredText> {
  const { graph, progress } = await currentGraph(ctx);
  const file = args.file === undefined ? undefined : ctx.workspace.jail.resolve(args.file).rel;
  const defs = requireDefinitions(graph, progress, args.symbol, file);
  const edges = direction === 'callers' ? callersOf(graph.store, defs) : calleesOf(graph.store, defs);
  const heading =
    direction === 'callers' ? `caller(s) of '${args.symbol}'` : `call(s) made by '${args.symbol}'`;
  const body = [
    `${edges.length} ${heading} (defined ${defs.map((d) => `${d.path}:${d.startLine}`).join(', ')}):`,
    ...formatEdges(edges, direction),
    formatProgress(progress),
  ].join('\n');
  const read = [
    ...defs.map((d) => d.path),
    ...edges.map((e) => (direction === 'callers' ? e.path : (e.target?.path ?? e.path))),
  ];
  return withSavingsFooter(body, await tokensOfFiles(graph, read));
}
