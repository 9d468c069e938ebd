import { defineTool } from '../define-tool.ts';
import { answerCallEdges, callEdgesInput } from './call-edges.ts';

export const ctxCallers = defineTool({
  name: 'ctx_callers',
  description: 'Deprecated alias of ctx_callgraph (direction callers): who calls a function or method.',
  scope: 'graph',
  readOnly: true,
  input: callEdgesInput,
  run: (args, ctx) => answerCallEdges(args, ctx, 'callers'),
});
