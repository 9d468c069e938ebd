import { z } from 'zod';
import { defineTool } from '../define-tool.ts';
import type { ToolInfo } from '../registry.ts';
import { editDistance } from './rank-names.ts';

const MAX_LISTED = 15;

/** `path*, mode, fresh` from a JSON schema: required arguments starred. */
function argSummary(info: ToolInfo): string {
  const props = Object.keys((info.inputSchema.properties as Record<string, unknown> | undefined) ?? {});
  const required = new Set((info.inputSchema.required as string[] | undefined) ?? []);
  return props.map((p) => (required.has(p) ? `${p}*` : p)).join(', ');
}

/** Lower is better; undefined means no match at all. */
function score(info: ToolInfo, words: string[]): number | undefined {
  const name = info.name.toLowerCase();
  const text = `${name} ${info.description.toLowerCase()}`;
  let total = 0;
  for (const w of words) {
    if (name.includes(w)) continue;
    if (text.includes(w)) total += 1;
    else if (name.split('_').some((part) => part.length > 2 && editDistance(part, w) <= 1)) total += 2;
    else return undefined;
  }
  return total;
}

export const ctxDiscoverTools = defineTool({
  name: 'ctx_discover_tools',
  description: 'Find tools by keyword (name or description) with their arguments; call them via ctx_call.',
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
    const ranked = ctx
      .listTools()
      .map((info) => ({ info, s: score(info, words) }))
      .filter((r): r is { info: ToolInfo; s: number } => r.s !== undefined)
      .sort((a, b) => a.s - b.s || (a.info.name < b.info.name ? -1 : 1));
    if (ranked.length === 0) {
      return `No tool matches ${JSON.stringify(args.query)}. Try one word, or "" to list all ${ctx.listTools().length}.`;
    }
    const shown = ranked.slice(0, MAX_LISTED);
    const lines = shown.map(({ info }) => `${info.name}(${argSummary(info)}): ${info.description}`);
    const more =
      ranked.length > shown.length ? `\n[${ranked.length - shown.length} more match; add a word]` : '';
    return `${lines.join('\n')}${more}\nCall: ctx_call {name, arguments}`;
  },
});
