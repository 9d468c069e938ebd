import type { Bm25Index } from './bm25-index.ts';
import type { Chunk } from './chunk-file.ts';
import { tokenize } from './tokenize.ts';

export interface RankedFile {
  path: string;
  score: number;
  /** The file's best-matching chunks, best first. */
  chunks: Chunk[];
}

/** Path words count this much per task word they share (a file named after the task). */
const PATH_WEIGHT = 2;

/**
 * Files ranked for a task: each file's best BM25 chunk score, plus a bonus for task words
 * in its path, so a file that is not indexed yet can still surface by its name.
 */
export async function rankFilesForTask(
  index: Bm25Index,
  files: readonly string[],
  task: string,
  opts: { prefix: string; limit: number; signal?: AbortSignal },
): Promise<RankedFile[]> {
  const words = new Set(tokenize(task));
  if (words.size === 0) return [];
  const byPath = new Map<string, RankedFile>();
  const best = await index.search(task, { prefix: opts.prefix, topK: 200, signal: opts.signal });
  for (const { chunk, score } of best) {
    const file = byPath.get(chunk.path) ?? { path: chunk.path, score: 0, chunks: [] };
    file.score = Math.max(file.score, score);
    file.chunks.push(chunk);
    byPath.set(chunk.path, file);
  }
  for (const path of files) {
    const shared = tokenize(path).filter((t) => words.has(t)).length;
    if (shared === 0) continue;
    const file = byPath.get(path) ?? { path, score: 0, chunks: [] };
    file.score += shared * PATH_WEIGHT;
    byPath.set(path, file);
  }
  return [...byPath.values()]
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1))
    .slice(0, opts.limit);
}
