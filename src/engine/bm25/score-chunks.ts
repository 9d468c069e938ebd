import type { Pacer } from '../workers/pacer.ts';
import type { Chunk } from './chunk-file.ts';
import { termCounts, tokenize } from './tokenize.ts';

export interface RankedChunk {
  chunk: Chunk;
  score: number;
}

const K1 = 1.2;
const B = 0.75;

/** Okapi BM25 of every chunk against a query, best first (ties by path, then line), pacing as it goes. */
export async function scoreChunks(
  chunks: readonly Chunk[],
  query: string,
  topK: number,
  pacer: Pacer,
): Promise<RankedChunk[]> {
  const q = [...termCounts(tokenize(query)).keys()];
  if (q.length === 0 || chunks.length === 0) return [];
  const df = new Map<string, number>(q.map((t) => [t, 0]));
  let totalLength = 0;
  for (const [i, c] of chunks.entries()) {
    totalLength += c.length;
    for (const t of q) if (c.terms.has(t)) df.set(t, df.get(t)! + 1);
    if (i % 1024 === 0) await pacer.pace();
  }
  const avg = totalLength / chunks.length;
  const idf = new Map(
    q.map((t) => [t, Math.log(1 + (chunks.length - df.get(t)! + 0.5) / (df.get(t)! + 0.5))]),
  );
  const ranked: RankedChunk[] = [];
  for (const [i, c] of chunks.entries()) {
    if (i % 1024 === 0) await pacer.pace();
    let score = 0;
    for (const t of q) {
      const tf = c.terms.get(t);
      if (tf) score += (idf.get(t)! * tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * c.length) / avg));
    }
    if (score > 0) ranked.push({ chunk: c, score });
  }
  ranked.sort(
    (a, b) =>
      b.score - a.score ||
      (a.chunk.path < b.chunk.path
        ? -1
        : a.chunk.path > b.chunk.path
          ? 1
          : a.chunk.startLine - b.chunk.startLine),
  );
  return ranked.slice(0, topK);
}
