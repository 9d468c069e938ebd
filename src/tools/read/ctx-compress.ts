import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { outlineFile } from '../../engine/languages/index.ts';
import { contextScope, readCacheOf } from '../../engine/read/cache.ts';
import { renderSignatures } from '../../engine/read/render-outline.ts';
import { savingsOf } from '../../engine/savings.ts';
import { countTokens } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

export const ctxCompress = defineTool({
  name: 'ctx_compress',
  description:
    'A checkpoint of the files this session has read: one line each, plus signatures, to keep after the conversation is compacted.',
  scope: 'search',
  readOnly: true,
  input: z.object({ include_signatures: z.boolean().default(true) }),
  async run(args, ctx) {
    const scope = contextScope(ctx.agentId, ctx.contextId);
    if (scope === undefined)
      throw new ToolError('ctx_compress needs a session: call it over MCP or send a contextId');
    const entries = readCacheOf(ctx.workspace).entries(scope);
    if (entries.length === 0) return 'CTX CHECKPOINT (0 files): nothing read in this session yet';
    const out = [`CTX CHECKPOINT (${entries.length} files)`];
    // what the context holds for these files is what it was sent, not their full size
    let before = 0;
    for (const [rel, d] of entries.sort((a, b) => a[1].ref - b[1].ref)) {
      before += d.sentTokens;
      out.push(`F${d.ref}=${rel} ${d.lines}L ${d.tokens} tok, last read as ${d.lastMode}`);
      if (!args.include_signatures) continue;
      const text = await readFile(join(ctx.workspace.root, rel), 'utf8').catch(() => undefined);
      if (text === undefined) {
        out.push('  (file gone)');
        continue;
      }
      const sig = renderSignatures(await outlineFile(rel, text));
      if (sig) out.push(sig.replace(/^/gm, '  '));
    }
    const checkpoint = out.join('\n');
    const text = `${checkpoint}\nCOMPRESSION: ${before} → ${countTokens(checkpoint)} tok (sent to this session → checkpoint)`;
    return { text, ...savingsOf(before, countTokens(text)) };
  },
});
