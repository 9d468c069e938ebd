import { z } from 'zod';
import { routeIntent } from '../../sessions/intent-route.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import { defineTool } from '../define-tool.ts';
import { writeSession } from './session-write.ts';

export const ctxIntent = defineTool({
  name: 'ctx_intent',
  description:
    "State the task's intent: it is recorded in the channel's session, and the answer suggests a read mode and the tools to start with (text or JSON).",
  scope: 'search',
  scopesFor: (args) => (args.record ? ['sessionMutations'] : ['search']),
  readOnly: (args) => !args.record,
  input: z.object({
    query: z.string().min(1).max(SESSION_LIMITS.valueChars).describe('what you are about to do'),
    format: z.enum(['text', 'json']).default('text'),
    record: z.boolean().default(true).describe('false: only route, write nothing'),
  }),
  async run(args, ctx) {
    const route = routeIntent(args.query, new Set(ctx.listTools().map((t) => t.name)));
    const rev = args.record
      ? (
          await writeSession(
            ctx,
            { tool: 'ctx_intent', action: 'record' },
            { kind: 'intent', text: args.query },
          )
        ).revision
      : undefined;
    if (args.format === 'json')
      return JSON.stringify({ ...route, ...(rev ? { sessionRevision: rev } : {}) }, null, 2);
    const recorded = rev ? `intent recorded (rev ${rev}): ` : '';
    return `${recorded}${route.dimension} → read mode ${route.readMode}; start with ${route.tools.join(', ') || '(no suggested tool is callable)'}; model tier ${route.modelTier}. ${route.reason}`;
  },
});
