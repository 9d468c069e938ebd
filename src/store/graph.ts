import type { SymbolKind } from '../engine/languages/types.ts';

/** One indexed file; size and mtime decide whether a sweep reads it again, the hash whether it re-parses. */
export interface GraphFile {
  path: string;
  hash: string;
  language: string;
  lines: number;
  /**
   * o200k tokens of the content, counted on first need (a build does not count them): null
   * until a tool asked, and again after the file changes.
   */
  tokens: number | null;
  size: number;
  mtimeMs: number;
  parser: 'tree-sitter' | 'regex';
}

export interface GraphSymbol {
  path: string;
  name: string;
  /** `Class.method` for members, else the name. */
  qualified: string;
  kind: SymbolKind;
  signature: string;
  startLine: number;
  endLine: number;
  exported: boolean;
}

/** An import of one file: the specifier as written, the local names it binds, the file it resolves to. */
export interface GraphImport {
  from: string;
  specifier: string;
  /** Local names bound by the import (`a`, an alias, a namespace); empty for side-effect imports. */
  names: string[];
  /** Local names that rename what they import: `{ t: 'target' }` for `import { target as t }`. */
  aliases: Record<string, string>;
  /**
   * Names this file re-exports from the specifier, exported → imported: `{ '*': '*' }` for
   * `export * from`, `{ ns: '*' }` for `export * as ns from`, `{ c: 'b' }` for `export { b as c } from`.
   */
  reexports?: Record<string, string>;
  /** A workspace file, or null when the specifier is a package or could not be resolved. */
  target: string | null;
}

/** One call site: `receiver` is `this` (this/self), `''` for a bare call, else the object's text. */
export interface GraphCall {
  path: string;
  line: number;
  /** The narrowest enclosing symbol's qualified name; null at module level. */
  caller: string | null;
  callee: string;
  receiver: string;
}

export interface IndexedFile {
  file: GraphFile;
  symbols: GraphSymbol[];
  imports: GraphImport[];
  calls: GraphCall[];
}

export interface GraphCounts {
  files: number;
  symbols: number;
  imports: number;
  calls: number;
  /** Files the regex outline indexed because tree-sitter could not. */
  regexFiles: number;
}

/** The code graph of one workspace: derived data, rebuilt from the files whenever lost. */
export interface GraphStore {
  /** Size, mtime and hash of every indexed file, for the stat sweep. */
  stats(): Map<string, { size: number; mtimeMs: number; hash: string }>;
  /** Replaces each file's rows, in one transaction. */
  put(files: readonly IndexedFile[]): void;
  /** Paths whose tokens are not counted yet. */
  uncounted(): string[];
  /** Records token counts of files, each for the content hash it was counted on (a changed file keeps null). */
  setTokens(rows: readonly { path: string; hash: string; tokens: number }[]): void;
  /** Records a new size and mtime of a file whose content hash did not change. */
  touch(path: string, size: number, mtimeMs: number): void;
  delete(paths: readonly string[]): void;
  /** Forgets everything (build-full). */
  clear(): void;
  /**
   * Before a cold build into an empty graph file: swaps indexes that only queries need for
   * cheaper ones while the rows are loaded. Returns the file for `finishGraphLoad` (on a
   * worker) to put them back, or undefined when nothing was swapped.
   */
  beginLoad(): string | undefined;
  imports(): GraphImport[];
  setImportTargets(rows: readonly { from: string; specifier: string; target: string | null }[]): void;
  importsOf(path: string): GraphImport[];
  /**
   * The imports of these files that bind any of `names`, each file's in the order written, in
   * one lookup: all that resolving calls by those names needs of their files' imports.
   */
  bindingsIn(paths: readonly string[], names: readonly string[]): GraphImport[];
  /** Files that import `path`. */
  importersOf(path: string): string[];
  /**
   * The imports of `path` that rename or re-export (`aliases` or `reexports` not empty), by
   * importing file then in the order written: all the names `path`'s definitions go by elsewhere.
   */
  renamingImportsTo(path: string): GraphImport[];
  symbolsNamed(name: string): GraphSymbol[];
  symbolsIn(path: string): GraphSymbol[];
  /** Distinct symbol names, for "did you mean". */
  symbolNames(): string[];
  /** Call sites of a name, by path and line. */
  callsTo(callee: string): GraphCall[];
  callsIn(path: string, startLine: number, endLine: number): GraphCall[];
  file(path: string): GraphFile | undefined;
  /** The stored o200k count of each of these files that the graph holds (null: not counted yet), in one lookup. */
  fileTokens(paths: readonly string[]): Map<string, number | null>;
  /** Imports that resolved to no workspace file (packages, and specifiers naming a missing file). */
  unresolvedImports(): GraphImport[];
  counts(): GraphCounts;
  /** How many files the graph holds: `counts().files` without counting every row. */
  fileCount(): number;
  close(): void;
}
