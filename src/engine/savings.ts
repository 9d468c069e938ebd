import { countTokens, savingsFooter } from './tokens.ts';

/**
 * What a compressed answer saved, measured by the code that built it: the pipeline records
 * these as usage, never a number read back out of the text.
 */
export interface Savings {
  /** Tokens of the plain form the answer stands in for (the whole file, ripgrep's lines). */
  tokensRaw: number;
  /** Of those, the tokens the answer did not send. */
  tokensSaved: number;
}

export interface MeasuredText extends Savings {
  text: string;
}

export const NO_SAVINGS: Savings = Object.freeze({ tokensRaw: 0, tokensSaved: 0 });

/** Savings of sending `sentTokens` in place of `rawTokens`. */
export function savingsOf(rawTokens: number, sentTokens: number): Savings {
  return { tokensRaw: rawTokens, tokensSaved: Math.max(0, rawTokens - sentTokens) };
}

/** `body` with the `[N tok saved (P%)]` footer, and the same figures as data. */
export function withSavingsFooter(body: string, rawTokens: number): MeasuredText {
  const sent = countTokens(body);
  return { text: `${body}\n${savingsFooter(rawTokens, sent)}`, ...savingsOf(rawTokens, sent) };
}

export function sumSavings(parts: Iterable<Savings>): Savings {
  let tokensRaw = 0;
  let tokensSaved = 0;
  for (const p of parts) {
    tokensRaw += p.tokensRaw;
    tokensSaved += p.tokensSaved;
  }
  return { tokensRaw, tokensSaved };
}
