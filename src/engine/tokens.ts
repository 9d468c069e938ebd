import { countO200k } from './o200k.ts';
import { runEngineTask } from './workers/engine-pool.ts';

/**
 * Texts shorter than this are tokenized every time: cheaper than a cache lookup. A short
 * answer is counted three times per call (body, answer, usage), ~15 µs each at 200 chars.
 */
const CACHE_MIN_CHARS = 32;
const CACHE_MAX_ENTRIES = 4096;
const CACHE_MAX_CHARS = 64 * 1024 * 1024;

/**
 * BPE merging costs the square of a pre-token's length, and a pre-token is a whole run of
 * letters, spaces or punctuation: 2 MB of one letter took 40 minutes. Runs longer than this
 * are counted in slices of this many characters, which keeps the cost linear; such a run's
 * count can exceed the exact one by about one token per slice. Real code and prose have no
 * run this long (camelCase and snake_case split at every part), so their counts stay exact.
 */
export const MAX_RUN_CHARS = 128;

/** Longer texts are counted on a worker thread by `countTokensAsync`. */
export const SYNC_COUNT_MAX_CHARS = 64 * 1024;

const LETTER = /[\p{L}\p{M}]/u;
const PUNCT = /[^\s\p{L}\p{N}]/u;
const SPACE = /\s/u;
/** Bit 1: letter or mark; 2: neither space, letter nor number (marks are both); 4: space. */
const ASCII_CLASS = Uint8Array.from({ length: 128 }, (_, c) => {
  const ch = String.fromCharCode(c);
  return (LETTER.test(ch) ? 1 : 0) | (PUNCT.test(ch) ? 2 : 0) | (SPACE.test(ch) ? 4 : 0);
});
const classOf = (ch: string) =>
  (LETTER.test(ch) ? 1 : 0) | (PUNCT.test(ch) ? 2 : 0) | (SPACE.test(ch) ? 4 : 0);

/**
 * Whether the text holds a run of more than MAX_RUN_CHARS code points of letters, of symbols
 * or of spaces: one pass, a table for ASCII (a regex for this scanned each word once per letter).
 */
export function hasLongRun(text: string): boolean {
  if (text.length < MAX_RUN_CHARS) return false;
  let letters = 0;
  let symbols = 0;
  let spaces = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let cls: number;
    if (c < 128) cls = ASCII_CLASS[c]!;
    else {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      if (cp > 0xffff) i++;
      cls = classOf(ch);
    }
    letters = cls & 1 ? letters + 1 : 0;
    symbols = cls & 2 ? symbols + 1 : 0;
    spaces = cls & 4 ? spaces + 1 : 0;
    if (letters >= MAX_RUN_CHARS || symbols >= MAX_RUN_CHARS || spaces >= MAX_RUN_CHARS) return true;
  }
  return false;
}

// o200k_base's pre-tokenizer (gpt-tokenizer's O200K_TOKEN_SPLIT_PATTERN): counting text cut
// at its piece boundaries gives the same count as counting the whole.
const CONTRACTION = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?";
const O200K_PIECE = new RegExp(
  [
    `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+${CONTRACTION}`,
    `[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*${CONTRACTION}`,
    '\\p{N}{1,3}',
    ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*',
    '\\s*[\\r\\n]+',
    '\\s+(?!\\S)',
    '\\s+',
  ].join('|'),
  'gu',
);

/** Slices of at most MAX_RUN_CHARS, never between the halves of a surrogate pair. */
function countLongPiece(piece: string): number {
  let n = 0;
  for (let at = 0; at < piece.length; ) {
    let end = Math.min(piece.length, at + MAX_RUN_CHARS);
    const c = piece.charCodeAt(end - 1);
    if (end < piece.length && c >= 0xd800 && c <= 0xdbff) end--;
    n += countO200k(piece.slice(at, end));
    at = end;
  }
  return n;
}

/** o200k_base tokens with every over-long run counted in slices: linear in the text's length. */
export function countBounded(text: string): number {
  if (!hasLongRun(text)) return countO200k(text);
  let n = 0;
  let segment = 0;
  for (const m of text.matchAll(O200K_PIECE)) {
    if (m[0].length <= MAX_RUN_CHARS) continue;
    if (m.index > segment) n += countO200k(text.slice(segment, m.index));
    n += countLongPiece(m[0]);
    segment = m.index + m[0].length;
  }
  if (segment < text.length) n += countO200k(text.slice(segment));
  return n;
}

/**
 * Token counts of recent texts. The same file is counted on every read and every answer is
 * counted twice (footer, usage), so a small LRU keyed by the text itself saves most of the
 * tokenizer's time; the counts stay exact because the key is the whole text.
 */
function createTokenCache() {
  const cache = new Map<string, number>();
  let chars = 0;
  return {
    get(text: string): number | undefined {
      const hit = cache.get(text);
      if (hit !== undefined) {
        cache.delete(text);
        cache.set(text, hit);
      }
      return hit;
    },
    set(text: string, count: number): void {
      if (text.length < CACHE_MIN_CHARS || text.length > CACHE_MAX_CHARS / 8 || cache.has(text)) return;
      cache.set(text, count);
      chars += text.length;
      for (const oldest of cache.keys()) {
        if (cache.size <= CACHE_MAX_ENTRIES && chars <= CACHE_MAX_CHARS) break;
        cache.delete(oldest);
        chars -= oldest.length;
      }
    },
  };
}

const cache = createTokenCache();

/**
 * o200k_base tokens of this text, on the calling thread: exact unless it holds a run of
 * more than MAX_RUN_CHARS letters, spaces or symbols. The cost is linear (about 70 ms per
 * MB): texts that may be large go through `countTokensAsync`.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length < CACHE_MIN_CHARS) return countBounded(text);
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const count = countBounded(text);
  cache.set(text, count);
  return count;
}

/** `countTokens` for texts of any size: past SYNC_COUNT_MAX_CHARS it runs on a worker thread. */
export async function countTokensAsync(text: string, signal?: AbortSignal): Promise<number> {
  if (text.length <= SYNC_COUNT_MAX_CHARS) return countTokens(text);
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const count = await runEngineTask('countTokens', text, { signal });
  cache.set(text, count);
  return count;
}

/** A rough figure (4 characters a token) for when an exact count cannot be had in time. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** The footer every compressed reply ends with: `[N tok saved (P%)]`. */
export function savingsFooter(originalTokens: number, sentTokens: number): string {
  const saved = Math.max(0, originalTokens - sentTokens);
  const pct = originalTokens > 0 ? Math.round((saved / originalTokens) * 100) : 0;
  return `[${saved} tok saved (${pct}%)]`;
}
