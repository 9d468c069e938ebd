import { defineTool } from '../define-tool.ts';
import { answerCallEdges, callEdgesInput } from './call-edges.ts';

export const ctxCallees = defineTool({
  name: 'ctx_callees',
  description: 'Deprecated alias of ctx_callgraph (direction callees): what a function or method calls.',
  scope: 'graph',
  readOnly: true,
  input: callEdgesInput,
  run: (args, ctx) => answerCallEdges(args, ctx, 'callees'),
});
