import { defineTool } from '../define-tool.ts';
import { answerCallEdges, callEdgesInput } from './call-edges.ts';

export const ctxCallees = defineTool({
  name: 'ctx_callees',
  description:
    'What a function or method calls: `file:line → callee (where it is defined)` from the code graph.',
  scope: 'graph',
  readOnly: true,
  input: callEdgesInput,
  run: (args, ctx) => answerCallEdges(args, ctx, 'callees'),
});
