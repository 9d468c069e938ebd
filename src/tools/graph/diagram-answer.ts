import { z } from 'zod';
import { callDiagram, type Diagram } from '../../engine/graph/diagram.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import { ToolError } from '../../errors.ts';
import type { MeasuredText, ToolContext } from '../define-tool.ts';
import { currentGraph, formatProgress, graphFileOf, requireDefinitions, tokensOfFiles } from './graph-of.ts';
import { requireIndexedFile } from './graph-paths.ts';

export const MAX_DIAGRAM_DEPTH = 5;

export const diagramKind = z
  .enum(['deps', 'calls'])
  .default('deps')
  .describe('deps: imports both ways; calls: what its functions call');

/**
 * A Mermaid diagram around `file` (or `file::symbol` for calls), or of the directories when
 * no file is given.
 */
export async function answerDiagram(
  args: { file?: string | undefined; depth: number; kind: 'deps' | 'calls' },
  ctx: ToolContext,
): Promise<MeasuredText> {
  const { graph, progress } = await currentGraph(ctx);
  const [fileArg, symbol] = args.file?.includes('::') ? args.file.split('::', 2) : [args.file, undefined];
  let head: string;
  let diagram: Diagram;
  const opts = { signal: ctx.signal };
  if (!fileArg && args.kind === 'calls') {
    throw new ToolError('kind "calls" needs a file (or `file::symbol`) to start from');
  }
  if (!fileArg) {
    diagram = await runEngineTask(
      'importDiagram',
      { file: graphFileOf(ctx.workspace), depth: args.depth },
      opts,
    );
    head = `Imports between directories (edge label = import count), ${diagram.drawn} drawn:`;
  } else {
    const rel = requireIndexedFile(graph, ctx, fileArg);
    if (args.kind === 'calls') {
      const defs = symbol ? requireDefinitions(graph, progress, symbol, rel) : graph.store.symbolsIn(rel);
      diagram = callDiagram(graph.store, defs, args.depth);
      head = `Calls from ${symbol ? `${rel}::${symbol}` : rel}, ${args.depth} level(s) deep, ${diagram.drawn} symbol(s) drawn:`;
    } else {
      diagram = await runEngineTask(
        'importDiagram',
        { file: graphFileOf(ctx.workspace), path: rel, depth: args.depth },
        opts,
      );
      head = `Imports of and into ${rel} within ${args.depth} hop(s), ${diagram.drawn} file(s) drawn:`;
    }
  }
  const more = diagram.hidden > 0 ? ` (+${diagram.hidden} more not drawn)` : '';
  const body = [`${head}${more}`, '```mermaid', diagram.mermaid, '```', formatProgress(progress)].join('\n');
  return withSavingsFooter(body, await tokensOfFiles(graph, diagram.files));
}
