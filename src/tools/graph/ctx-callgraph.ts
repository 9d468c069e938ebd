import { z } from 'zod';
import { defineTool } from '../define-tool.ts';
import { answerCallEdges, callEdgesInput } from './call-edges.ts';

export const ctxCallgraph = defineTool({
  name: 'ctx_callgraph',
  description:
    'Who calls a function or method (`direction: callers`, default) or what it calls (`callees`): `file:line → symbol`, resolved through imports.',
  scope: 'graph',
  readOnly: true,
  input: callEdgesInput.extend({
    direction: z.enum(['callers', 'callees']).default('callers'),
  }),
  run: (args, ctx) => answerCallEdges(args, ctx, args.direction),
});
