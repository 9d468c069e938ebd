import { countO200k } from './o200k.ts';

/** Texts shorter than this are tokenized every time: cheaper than a cache lookup. */
const CACHE_MIN_CHARS = 512;
const CACHE_MAX_ENTRIES = 4096;
const CACHE_MAX_CHARS = 64 * 1024 * 1024;

/**
 * Token counts of recent texts. The same file is counted on every read and every answer is
 * counted twice (footer, usage), so a small LRU keyed by the text itself saves most of the
 * tokenizer's time; the counts stay exact because the key is the whole text.
 */
function createTokenCounter(): (text: string) => number {
  const cache = new Map<string, number>();
  let chars = 0;
  return (text) => {
    if (text.length === 0) return 0;
    if (text.length < CACHE_MIN_CHARS) return countO200k(text);
    const hit = cache.get(text);
    if (hit !== undefined) {
      cache.delete(text);
      cache.set(text, hit);
      return hit;
    }
    const count = countO200k(text);
    if (text.length <= CACHE_MAX_CHARS / 8) {
      cache.set(text, count);
      chars += text.length;
      for (const oldest of cache.keys()) {
        if (cache.size <= CACHE_MAX_ENTRIES && chars <= CACHE_MAX_CHARS) break;
        cache.delete(oldest);
        chars -= oldest.length;
      }
    }
    return count;
  };
}

/** o200k_base tokens of exactly this text. */
export const countTokens: (text: string) => number = createTokenCounter();

/** The footer every compressed reply ends with: `[N tok saved (P%)]`. */
export function savingsFooter(originalTokens: number, sentTokens: number): string {
  const saved = Math.max(0, originalTokens - sentTokens);
  const pct = originalTokens > 0 ? Math.round((saved / originalTokens) * 100) : 0;
  return `[${saved} tok saved (${pct}%)]`;
}
