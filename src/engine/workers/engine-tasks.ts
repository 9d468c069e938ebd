import { factTerms } from '../../store/knowledge.ts';
import { finishGraphLoad } from '../../store/sqlite/graph-store.ts';
import { searchFactsInFile } from '../../store/sqlite/knowledge-rows.ts';
import { pathReadsInFile, usageRollupInFile, usageTotalsInFile } from '../../store/sqlite/usage-rollup.ts';
import { chunkDocument } from '../bm25/chunk-document.ts';
import { type Chunk, chunkFile } from '../bm25/chunk-file.ts';
import { findDuplicatesHere } from '../dedup/find-duplicates.ts';
import { analyzeArchitecture } from '../graph/architecture-task.ts';
import { complexityOfFiles } from '../graph/complexity.ts';
import { extractFileHere, parseOnlyHere } from '../graph/extract-file.ts';
import { graphSummary, importDiagram, testCoverage } from '../graph/view-task.ts';
import { outlineFileHere } from '../languages/outline-file.ts';
import type { FileOutline } from '../languages/types.ts';
import { extractRoutesOfFiles } from '../routes/extract-routes.ts';
import { patternSize } from '../search/compile-pattern.ts';
import { matchLinesHere } from '../search/match-lines.ts';
import { type StripMode, stripFiller } from '../text/strip-filler.ts';
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
  /** Cyclomatic complexity of functions, per file of a batch (ctx_smells). */
  complexityOfFiles,
  /** HTTP routes declared in a batch of files (ctx_routes). */
  routesOfFiles: extractRoutesOfFiles,
  /** Clusters, cycles, layers, communities … of a workspace's import graph, read from its graph file. */
  architecture: analyzeArchitecture,
  /** Views that read the whole graph file: summary, test coverage, import diagrams. */
  graphSummary,
  testCoverage,
  importDiagram,
  /** The query index of a graph file after a cold build loaded it (seconds of SQLite work on a large one). */
  finishGraphLoad,
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
  /** The savings reports' scan of the usage table, on this thread's read-only connection. */
  usageRollup: usageRollupInFile,
  /** The gain and cost reports' sums, and the heatmap's reads per file, likewise. */
  usageTotals: usageTotalsInFile,
  pathReads: pathReadsInFile,
  /** A registered document split by heading for BM25 (ctx_artifacts). */
  chunkDocument: (input: { rel: string; text: string }) => chunkDocument(input.rel, input.text),
  /** Filler stripping of an answer or a memory file (ctx_response, ctx_compress_memory). */
  stripFiller: (input: { text: string; mode: StripMode }) => stripFiller(input.text, input.mode),
};

export type EngineTasks = typeof ENGINE_TASKS;
