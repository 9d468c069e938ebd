import type { Node } from 'web-tree-sitter';

export const SYMBOL_KINDS = [
  'function',
  'class',
  'method',
  'interface',
  'type',
  'enum',
  'constant',
  'struct',
  'trait',
  'module',
  'field',
] as const;
export type SymbolKind = (typeof SYMBOL_KINDS)[number];

export interface CodeSymbol {
  name: string;
  kind: SymbolKind;
  /** The declaration without its body, on one line. */
  signature: string;
  /** 1-based, inclusive; decorators and `export` wrappers included. */
  startLine: number;
  endLine: number;
  /** The enclosing symbol's name (class of a method, namespace of a class). */
  parent?: string;
  exported: boolean;
}

export interface FileOutline {
  language: string | undefined;
  symbols: CodeSymbol[];
  /** Module specifiers or paths this file imports, in source order, without duplicates. */
  imports: string[];
  /** Names other files can use. */
  exports: string[];
  parser: 'tree-sitter' | 'regex';
}

/** One definition a language spec recognised at a node. */
export interface DefMatch {
  name: string;
  kind: SymbolKind;
  /** The node the definition spans (for lines). */
  node: Node;
  /** Left out of the signature; where comments and defaults stop being the signature's. */
  body?: Node | null;
  /** Whose named children are the definition's members (a class body). */
  members?: Node | null;
  /** Set when the language knows better than the walker (Go receivers, C++ `A::f`). */
  parent?: string;
  exported?: boolean;
  /** A ready signature, when the node's own text is not one (several declarators). */
  signature?: string;
  /** Keep a short body in the signature (`type A = string`, `const N = 3`). */
  inlineShortBody?: boolean;
}

export interface WalkScope {
  /** Inside an `export` statement (TS/JS). */
  inExport: boolean;
  parent: CodeSymbol | undefined;
}

/** How to read one grammar's tree: which nodes define symbols, import, or just wrap others. */
export interface LanguageSpec {
  /** Nodes whose children sit at the same level (export statements, decorators, `extern "C"`). */
  wrappers: ReadonlySet<string>;
  /** Wrappers whose first line belongs to the definition inside (`export`, decorators). */
  attached?: ReadonlySet<string>;
  /** Wrappers whose text starts the inner definition's signature (`export`, `declare`). */
  signatureWrappers?: ReadonlySet<string>;
  defs(node: Node, scope: WalkScope): DefMatch[] | undefined;
  imports?(node: Node): string[] | undefined;
  /** Exported unless the match says otherwise. */
  isExported(match: DefMatch, scope: WalkScope): boolean;
  /** Names a file exports without defining them (`export { a } from`). */
  reexports?(node: Node): string[] | undefined;
}
