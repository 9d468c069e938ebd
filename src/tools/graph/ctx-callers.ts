import { defineTool } from '../define-tool.ts';
import { answerCallEdges, callEdgesInput } from './call-edges.ts';

export const ctxCallers = defineTool({
  name: 'ctx_callers',
  description:
    'Who calls a function or method: `file:line → calling symbol` from the code graph, resolved through imports.',
  scope: 'graph',
  readOnly: true,
  input: callEdgesInput,
  run: (args, ctx) => answerCallEdges(args, ctx, 'callers'),
});
