import type { TrigramQuery } from './trigram-query.ts';

/**
 * A per-file Bloom filter over case-folded character trigrams and 5-grams, plus the exact
 * 5-grams that hold an upper-case letter (so `Exception` does not pass every file with
 * `exception`). It answers "might this file contain gram G?" with no false negatives, so a
 * search only opens files that can match.
 */
export interface TrigramBloom {
  bits: Uint32Array;
  shift: number;
}

/** Folds one UTF-16 code unit to a byte: ASCII lower-cased, the two non-ASCII letters that
 *  Unicode case folding maps to ASCII (ſ→s, K→k) too, everything else to 128-255. */
export function foldUnit(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  if (c === 0x17f) return 115;
  if (c === 0x212a) return 107;
  return (c & 0x7f) | 0x80;
}

export const trigramKey = (a: number, b: number, c: number): number => (a << 16) | (b << 8) | c;

/** Five folded units in one 32-bit key; 5-grams keep adjacency that trigrams lose ("useState"). */
export const fiveGramKey = (a: number, b: number, c: number, d: number, e: number): number =>
  Math.imul((a << 16) | (b << 8) | c, 0x27d4eb2d) ^ ((d << 8) | e) ^ 0x5bd1e995;

/** One UTF-16 code unit as a byte without folding: the exact counterpart of `foldUnit`. */
export const exactUnit = (c: number): number => (c < 128 ? c : (c & 0x7f) | 0x80);

/** An unfolded 5-gram, kept apart from the folded keys by its own mixing. */
export const exactFiveGramKey = (a: number, b: number, c: number, d: number, e: number): number =>
  Math.imul((a << 16) | (b << 8) | c, 0x165667b1) ^ ((d << 8) | e) ^ 0x27d4eb2f;

const MIN_LOG_BITS = 9;
const MAX_LOG_BITS = 23;

const hash1 = (key: number) => Math.imul(key, 0x9e3779b1);
const hash2 = (key: number) => Math.imul(key ^ (key >>> 7), 0x85ebca6b);

export function buildBloom(text: string, from = 0, to = text.length, bitsPerChar = 4): TrigramBloom {
  const logBits = Math.min(
    MAX_LOG_BITS,
    Math.max(MIN_LOG_BITS, Math.ceil(Math.log2((to - from) * bitsPerChar + 1))),
  );
  const shift = 32 - logBits;
  const bits = new Uint32Array((1 << logBits) >>> 5);
  const set = (key: number) => {
    const p1 = hash1(key) >>> shift;
    const p2 = hash2(key) >>> shift;
    bits[p1 >>> 5]! |= 1 << (p1 & 31);
    bits[p2 >>> 5]! |= 1 << (p2 & 31);
  };
  // u0..u4: the last five folded units, u4 newest; x*: the same units unfolded
  let u0 = 0;
  let u1 = 0;
  let u2 = 0;
  let u3 = 0;
  let x0 = 0;
  let x1 = 0;
  let x2 = 0;
  let x3 = 0;
  // bit k set: the unit k places back differs from its folded form
  let foldedMask = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    const u4 = foldUnit(c);
    const x4 = exactUnit(c);
    foldedMask = ((foldedMask << 1) | (u4 !== x4 ? 1 : 0)) & 31;
    if (i >= from + 2) set((u2 << 16) | (u3 << 8) | u4);
    if (i >= from + 4) {
      set(fiveGramKey(u0, u1, u2, u3, u4));
      if (foldedMask !== 0) set(exactFiveGramKey(x0, x1, x2, x3, x4));
    }
    u0 = u1;
    u1 = u2;
    u2 = u3;
    u3 = u4;
    x0 = x1;
    x1 = x2;
    x2 = x3;
    x3 = x4;
  }
  return { bits, shift };
}

/** Text per block: a line lies whole in one block, so a match's grams share one filter. */
const BLOCK_CHARS = 2048;

/** A file cut at line ends into blocks of about 2 KB, each with its own (smaller) filter. */
export interface BlockBlooms {
  /** First character of each block; a block ends where the next starts (or at the end). */
  starts: number[];
  /** 1-based line number at each block's start. */
  lines: number[];
  blooms: TrigramBloom[];
}

/**
 * A second level under the file's filter, for files of several blocks: a regex whose literals
 * all occur in a file but never near each other (`class \w+Exception` in Java) then reads a
 * few blocks, not the file. Undefined for files of one or two blocks.
 */
export function buildBlockBlooms(text: string): BlockBlooms | undefined {
  if (text.length <= 2 * BLOCK_CHARS) return undefined;
  const out: BlockBlooms = { starts: [], lines: [], blooms: [] };
  let start = 0;
  let line = 1;
  do {
    const nl = text.indexOf('\n', start + BLOCK_CHARS);
    const end = nl === -1 ? text.length : nl + 1;
    out.starts.push(start);
    out.lines.push(line);
    out.blooms.push(buildBloom(text, start, end, 2));
    for (let i = text.indexOf('\n', start); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) line++;
    start = end;
  } while (start < text.length);
  return out;
}

/** Tests one Bloom filter stored at `offset` words into `bits` (many filters share one buffer). */
export type BloomTest = (bits: Uint32Array, offset: number, shift: number) => boolean;

/** Turns a query into a tight test with the hashes computed once, not once per file. */
export function bloomTest(q: TrigramQuery): BloomTest {
  if (q.op === 'all') return () => true;
  if (q.op === 'or') {
    const parts = q.parts.map(bloomTest);
    return (bits, offset, shift) => parts.some((p) => p(bits, offset, shift));
  }
  const keys = q.op === 'tri' ? [q.key] : q.parts.flatMap((p) => (p.op === 'tri' ? [p.key] : []));
  const nested = q.op === 'and' ? q.parts.filter((p) => p.op !== 'tri').map(bloomTest) : [];
  const h1 = Int32Array.from(keys, hash1);
  const h2 = Int32Array.from(keys, hash2);
  return (bits, offset, shift) => {
    for (let i = 0; i < h1.length; i++) {
      const p1 = h1[i]! >>> shift;
      const p2 = h2[i]! >>> shift;
      if ((bits[offset + (p1 >>> 5)]! & (1 << (p1 & 31))) === 0) return false;
      if ((bits[offset + (p2 >>> 5)]! & (1 << (p2 & 31))) === 0) return false;
    }
    for (const n of nested) if (!n(bits, offset, shift)) return false;
    return true;
  };
}
