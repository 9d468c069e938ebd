import { z } from 'zod';
import { defineTool } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { answerDiagram, diagramKind, MAX_DIAGRAM_DEPTH } from './diagram-answer.ts';

export const ctxGraphDiagram = defineTool({
  name: 'ctx_graph_diagram',
  description:
    'Deprecated alias of ctx_graph action=diagram: a Mermaid diagram of the imports (or calls) around a file; no file, the directories.',
  scope: 'graph',
  readOnly: true,
  input: z.object({
    file: z.string().max(INPUT_LIMITS.globChars).optional().describe('A file, or `file::symbol` for calls'),
    depth: z.number().int().min(1).max(MAX_DIAGRAM_DEPTH).default(2),
    kind: diagramKind,
  }),
  run: (args, ctx) => answerDiagram(args, ctx),
});
