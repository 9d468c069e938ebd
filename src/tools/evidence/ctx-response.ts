import { z } from 'zod';
import { answerWithTokenFooter } from '../../engine/text/measured-answer.ts';
import { stripFillerOffLoop } from '../../engine/text/strip-off-loop.ts';
import { countTokensAsync } from '../../engine/tokens.ts';
import { defineTool } from '../define-tool.ts';

/** The longest text ctx_response takes (README: Limits). */
export const MAX_RESPONSE_CHARS = 256 * 1024;

export const ctxResponse = defineTool({
  name: 'ctx_response',
  description:
    'Strip filler from a text (pleasantries, hedges, restated summaries) keeping code blocks, inline code, paths, URLs, numbers and identifiers byte for byte; reports o200k tokens before and after.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    text: z
      .string()
      .min(1)
      .max(
        MAX_RESPONSE_CHARS,
        `text may have at most ${MAX_RESPONSE_CHARS} characters; split it and call once per part`,
      ),
  }),
  async run(args, ctx) {
    const stripped = await stripFillerOffLoop(args.text, 'response', ctx.signal);
    const before = await countTokensAsync(args.text, ctx.signal);
    const answer = await answerWithTokenFooter(
      stripped.text,
      before,
      (sent, saved) =>
        `[ctx_response: ${before} → ${sent} tok o200k, ${saved} saved; ${stripped.sentencesDropped} sentences dropped, ${stripped.phrasesCut} phrases cut]`,
      ctx.signal,
    );
    return { text: answer.text, tokensRaw: answer.tokensRaw, tokensSaved: answer.tokensSaved };
  },
});
