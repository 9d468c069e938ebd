import { z } from 'zod';
import { defineTool } from '../define-tool.ts';
import type { ToolInfo } from '../registry.ts';
import { rankTools } from './rank-tools.ts';

const MAX_LISTED = 15;

/** `path*, mode, fresh` from a JSON schema: required arguments starred. */
function argSummary(info: ToolInfo): string {
  const props = Object.keys((info.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  const required = new Set((info.inputSchema.required as string[] | undefined) ?? []);
  return props.map((p) => (required.has(p) ? `${p}*` : p)).join(', ');
}

export const ctxDiscoverTools = defineTool({
  name: 'ctx_discover_tools',
  description:
    'Find tools by keywords (ranked over names, descriptions, arguments) with their arguments; call via ctx_call.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({ query: z.string().describe('Keywords, e.g. "symbol" or "git diff"; "" lists all') }),
  async run(args, ctx) {
    const words = args.query.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length === 0) {
      const names = ctx.listTools().map((t) => t.name);
      return `All ${names.length} tools: ${names.join(', ')}\nAsk with a keyword for arguments; call via ctx_call.`;
    }
    const ranked = rankTools(ctx.listTools(), args.query);
    if (ranked.length === 0) {
      return `No tool matches ${JSON.stringify(args.query)}. Try one word, or "" to list all ${ctx.listTools().length}.`;
    }
    const shown = ranked.slice(0, MAX_LISTED);
    const lines = shown.map((info) => `${info.name}(${argSummary(info)}): ${info.description}`);
    const more =
      ranked.length > shown.length ? `\n[${ranked.length - shown.length} more match; add a word]` : '';
    return `${lines.join('\n')}${more}\nCall: ctx_call {name, arguments}`;
  },
});
