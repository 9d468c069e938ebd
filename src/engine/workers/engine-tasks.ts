import { factTerms } from '../../store/knowledge.ts';
import { searchFactsInFile } from '../../store/sqlite/knowledge-rows.ts';
import { type Chunk, chunkFile } from '../bm25/chunk-file.ts';
import { findDuplicatesHere } from '../dedup/find-duplicates.ts';
import { extractFileHere, parseOnlyHere } from '../graph/extract-file.ts';
import { outlineFileHere } from '../languages/outline-file.ts';
import type { FileOutline } from '../languages/types.ts';
import { patternSize } from '../search/compile-pattern.ts';
import { matchLinesHere } from '../search/match-lines.ts';
import { countBounded } from '../tokens.ts';

/**
 * What the engine's worker threads do, by name: the CPU-heavy parts of reading, indexing
 * and searching. Inputs and results cross threads by structured clone (Maps included).
 */
export const ENGINE_TASKS = {
  /** Nothing: loading this module was the work (see warmEnginePool). */
  warm: (_: undefined): boolean => true,
  countTokens: (text: string): number => countBounded(text),
  outline: (input: { rel: string; text: string }): Promise<FileOutline> =>
    outlineFileHere(input.rel, input.text),
  chunkFile: async (input: { rel: string; text: string }): Promise<Chunk[]> =>
    chunkFile(input.rel, input.text, await outlineFileHere(input.rel, input.text)),
  /** Outline, call sites and import bindings of one file, for the code graph. */
  graphFile: extractFileHere,
  /** A parse and nothing else: the floor of the graph bench. */
  parseOnly: parseOnlyHere,
  findDuplicates: (input: { root: string; files: readonly string[] }) =>
    findDuplicatesHere(input.root, input.files),
  matchLines: matchLinesHere,
  patternSize: (input: { source: string; ignoreCase: boolean }): number =>
    patternSize(input.source, input.ignoreCase),
  /** Search terms of many knowledge facts (an import). */
  knowledgeTerms: (facts: Parameters<typeof factTerms>[0][]) => facts.map(factTerms),
  /** BM25 recall over a large workspace's facts, on this thread's read-only connection. */
  knowledgeSearch: searchFactsInFile,
};

export type EngineTasks = typeof ENGINE_TASKS;
