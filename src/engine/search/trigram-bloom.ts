import type { TrigramQuery } from './trigram-query.ts';

/**
 * A per-file Bloom filter over case-folded character trigrams. It answers "might this file
 * contain trigram T?" with no false negatives, so a search only opens files that can match.
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

const MIN_LOG_BITS = 9;
const MAX_LOG_BITS = 23;

const hash1 = (key: number) => Math.imul(key, 0x9e3779b1);
const hash2 = (key: number) => Math.imul(key ^ (key >>> 7), 0x85ebca6b);

export function buildBloom(text: string): TrigramBloom {
  const logBits = Math.min(MAX_LOG_BITS, Math.max(MIN_LOG_BITS, Math.ceil(Math.log2(text.length * 4 + 1))));
  const shift = 32 - logBits;
  const bits = new Uint32Array((1 << logBits) >>> 5);
  const set = (key: number) => {
    const p1 = hash1(key) >>> shift;
    const p2 = hash2(key) >>> shift;
    bits[p1 >>> 5]! |= 1 << (p1 & 31);
    bits[p2 >>> 5]! |= 1 << (p2 & 31);
  };
  // u0..u4: the last five folded units, u4 newest
  let u0 = 0;
  let u1 = 0;
  let u2 = 0;
  let u3 = 0;
  for (let i = 0; i < text.length; i++) {
    const u4 = foldUnit(text.charCodeAt(i));
    if (i >= 2) set((u2 << 16) | (u3 << 8) | u4);
    if (i >= 4) set(fiveGramKey(u0, u1, u2, u3, u4));
    u0 = u1;
    u1 = u2;
    u2 = u3;
    u3 = u4;
  }
  return { bits, shift };
}

/** Tests one Bloom filter stored at `offset` words into `bits` (many filters share one buffer). */
export type BloomTest = (bits: Uint32Array, offset: number, shift: number) => boolean;

export function bloomHas(bloom: TrigramBloom, key: number): boolean {
  return bloomTest({ op: 'tri', key })(bloom.bits, 0, bloom.shift);
}

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
