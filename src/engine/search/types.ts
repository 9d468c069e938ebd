/** One line that matched: root-relative path, 1-based line number, the line without its newline. */
export interface SearchHit {
  path: string;
  line: number;
  text: string;
}

export interface SearchRequest {
  pattern: string;
  /** Root-relative directory to search, "" for the whole workspace. */
  path: string;
  /** File extensions without the dot; empty means every file. */
  exts: readonly string[];
  ignoreGitignore: boolean;
  ignoreCase?: boolean;
  /** Stop collecting after this many hits (the total then reads "at least"). */
  maxHits: number;
  signal?: AbortSignal;
}

/** How an answer was produced, for the bench and for honest reporting. */
export type SearchVia = 'index' | 'ripgrep' | 'scan';

export interface SearchOutcome {
  /** Sorted by path (code units), then line. */
  hits: SearchHit[];
  /** False when collection stopped at `maxHits`, so more hits may exist. */
  complete: boolean;
  /** Files whose contents were considered (after path and ext filters). */
  filesSearched: number;
  /** Secret-looking files left out of the answer. */
  secretsSkipped: number;
  via: SearchVia;
}

export const byPathThenLine = (a: SearchHit, b: SearchHit): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line;
