import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { closestNames } from './rank-names.ts';

export const ctxCall = defineTool({
  name: 'ctx_call',
  description:
    'Call any tool by name, including ones not listed; ctx_discover_tools finds them and their arguments.',
  scope: 'search',
  core: true,
  input: z.object({
    name: z.string().describe('Tool name, e.g. ctx_outline'),
    arguments: z.record(z.string(), z.unknown()).default({}),
  }),
  async run(args, ctx) {
    if (args.name === 'ctx_call') throw new ToolError('ctx_call cannot call itself; name the tool directly');
    const names = ctx.listTools().map((t) => t.name);
    if (!names.includes(args.name)) {
      const close = closestNames(args.name, names);
      const hint = close.length > 0 ? `; did you mean ${close.join(', ')}?` : '';
      throw new ToolError(`unknown tool "${args.name}"${hint} ctx_discover_tools lists tools by topic`);
    }
    return ctx.callTool(args.name, args.arguments);
  },
});
