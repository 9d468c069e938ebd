import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/** o200k_base tokens of exactly this text. */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : countO200k(text);
}

/** The footer every compressed reply ends with: `[N tok saved (P%)]`. */
export function savingsFooter(originalTokens: number, sentTokens: number): string {
  const saved = Math.max(0, originalTokens - sentTokens);
  const pct = originalTokens > 0 ? Math.round((saved / originalTokens) * 100) : 0;
  return `[${saved} tok saved (${pct}%)]`;
}
