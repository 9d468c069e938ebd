import { countTokensAsync } from '../tokens.ts';

export interface MeasuredAnswer {
  text: string;
  tokensRaw: number;
  tokensSent: number;
  tokensSaved: number;
}

/**
 * A body plus a footer stating o200k tokens before and after, where "after" is counted on
 * the whole answer, footer included: the footer is rebuilt until the figure it states is
 * the count of the text that carries it.
 */
export async function answerWithTokenFooter(
  body: string,
  tokensRaw: number,
  footer: (sent: number, saved: number) => string,
  signal?: AbortSignal,
): Promise<MeasuredAnswer> {
  let sent = await countTokensAsync(body, signal);
  let text = body;
  for (let i = 0; i < 4; i++) {
    text = `${body}\n${footer(sent, Math.max(0, tokensRaw - sent))}`;
    const counted = await countTokensAsync(text, signal);
    if (counted === sent) break;
    sent = counted;
  }
  return { text, tokensRaw, tokensSent: sent, tokensSaved: Math.max(0, tokensRaw - sent) };
}
