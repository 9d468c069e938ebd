import { z } from 'zod';
import { contextScope, readCacheOf } from '../../engine/read/cache.ts';
import { countChanges, diffLines, formatCompactDiff } from '../../engine/read/line-diff.ts';
import { splitLines } from '../../engine/read/line-ranges.ts';
import { loadFile } from '../../engine/read/load-file.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { countTokens } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

export const ctxDelta = defineTool({
  name: 'ctx_delta',
  description:
    'What changed in a file since this session last received it in full: `-n:` old line, `+n:` new line, `n:` context. Needs a session (MCP session or contextId).',
  scope: 'search',
  readOnly: true,
  input: z.object({ path: z.string().describe('Path relative to the workspace root') }),
  async run(args, ctx) {
    const scope = contextScope(ctx.agentId, ctx.contextId);
    if (scope === undefined) {
      throw new ToolError(
        'ctx_delta needs a session: call it over MCP or send a contextId; ctx_read gives the file',
      );
    }
    const file = await loadFile(ctx.workspace, args.path, 'wholeBytes', ctx.signal);
    const cache = readCacheOf(ctx.workspace);
    const seen = cache.get(scope, file.rel);
    if (!seen?.fullHash || seen.fullText === undefined) {
      throw new ToolError(`"${file.rel}" was not read in full in this session; ctx_read it first`);
    }
    // what this context would otherwise re-read: the whole file
    const answer = (body: string) => {
      const out = withSavingsFooter(body, countTokens(file.text));
      seen.sentTokens += countTokens(out.text);
      return out;
    };
    if (seen.fullHash === file.hash)
      return answer(`${file.rel} cached (no changes since read #${seen.fullAt})`);
    const ops = diffLines(splitLines(seen.fullText), splitLines(file.text));
    const { added, removed } = countChanges(ops);
    const before = seen.fullAt;
    seen.reads++;
    cache.setFull(scope, file.rel, file.hash, file.text);
    return answer(`${file.rel} +${added} -${removed} since read #${before}\n${formatCompactDiff(ops)}`);
  },
});
