/**
 * Sizes of free-text arguments past which no answer gets better, only slower; the tools'
 * schemas refuse longer ones as `invalid_arguments` naming the limit (README: Limits).
 */
export const INPUT_LIMITS = {
  /** A task or query in words (ctx_overview, ctx_preload, ctx_prefetch, ctx_semantic_search). */
  taskChars: 2000,
  /** A symbol name (ctx_symbol). */
  nameChars: 256,
  /** A path glob or an extension list. */
  globChars: 256,
  /** Entries of a list argument (changed_files, languages). */
  listItems: 100,
} as const;
