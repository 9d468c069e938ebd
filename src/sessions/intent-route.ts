/**
 * What a stated task intent suggests: a read mode and the tools to start with. Words of the
 * intent are matched against a small table; the first dimension with the most hits wins.
 */

export interface IntentRoute {
  version: 1;
  query: string;
  dimension: Dimension;
  /** How much model the task wants: fast for lookups, strong for debugging and refactors. */
  modelTier: 'fast' | 'standard' | 'strong';
  readMode: string;
  tools: string[];
  reason: string;
}

type Dimension = 'debug' | 'implement' | 'refactor' | 'test' | 'review' | 'document' | 'explore';

interface Rule {
  dimension: Dimension;
  words: RegExp;
  modelTier: IntentRoute['modelTier'];
  readMode: string;
  tools: string[];
  why: string;
}

const RULES: Rule[] = [
  {
    dimension: 'debug',
    words:
      /\b(bug|error|errors|fail\w*|crash\w*|exception|broken|fix\w*|stack ?trace|regress\w*|wrong|hang\w*|leak\w*)\b/gi,
    modelTier: 'strong',
    readMode: 'task',
    tools: ['ctx_search', 'ctx_read', 'ctx_symbol', 'ctx_delta', 'ctx_callgraph'],
    why: 'find the failing path: search for the message, read only the lines about it',
  },
  {
    dimension: 'refactor',
    words: /\b(refactor\w*|rename\w*|extract\w*|move|split|clean ?up|dedup\w*|duplicat\w*|simplif\w*)\b/gi,
    modelTier: 'strong',
    readMode: 'signatures',
    tools: ['ctx_search', 'ctx_outline', 'ctx_dedup', 'ctx_impact', 'ctx_read'],
    why: 'every caller matters: signatures across files, then full reads of what changes',
  },
  {
    dimension: 'test',
    words: /\b(test\w*|spec|coverage|assert\w*|flaky)\b/gi,
    modelTier: 'standard',
    readMode: 'signatures',
    tools: ['ctx_search', 'ctx_read', 'ctx_outline', 'ctx_symbol'],
    why: 'the code under test by signature, the existing tests in full',
  },
  {
    dimension: 'review',
    words: /\b(review\w*|diff|pr|pull request|changes|changed)\b/gi,
    modelTier: 'fast',
    readMode: 'diff',
    tools: ['ctx_delta', 'ctx_read', 'ctx_impact', 'ctx_search'],
    why: 'what changed, then what depends on it',
  },
  {
    dimension: 'implement',
    words: /\b(add\w*|implement\w*|create\w*|build\w*|support\w*|feature|new|introduc\w*|write)\b/gi,
    modelTier: 'standard',
    readMode: 'signatures',
    tools: ['ctx_overview', 'ctx_read', 'ctx_symbol', 'ctx_fill', 'ctx_search'],
    why: 'where it fits: the relevant files by signature, the ones to change in full',
  },
  {
    dimension: 'document',
    words: /\b(document\w*|docs?|readme|comment\w*|explain\w*)\b/gi,
    modelTier: 'fast',
    readMode: 'map',
    tools: ['ctx_overview', 'ctx_tree', 'ctx_read'],
    why: 'structure first: a map of each file says what it holds',
  },
];

const EXPLORE: Rule = {
  dimension: 'explore',
  words: /$^/g,
  modelTier: 'fast',
  readMode: 'map',
  tools: ['ctx_overview', 'ctx_tree', 'ctx_semantic_search', 'ctx_read'],
  why: 'orientation: an overview, then maps of the files it points to',
};

/** The route for an intent; `callable` keeps only tools the caller may call. */
export function routeIntent(query: string, callable: ReadonlySet<string>): IntentRoute {
  let best = EXPLORE;
  let bestHits = 0;
  for (const rule of RULES) {
    const hits = query.match(rule.words)?.length ?? 0;
    if (hits > bestHits) {
      best = rule;
      bestHits = hits;
    }
  }
  return {
    version: 1,
    query,
    dimension: best.dimension,
    modelTier: best.modelTier,
    readMode: best.readMode,
    tools: best.tools.filter((t) => callable.has(t)),
    reason:
      bestHits > 0
        ? `${best.dimension} (${bestHits} matching word${bestHits === 1 ? '' : 's'}): ${best.why}`
        : `no task words matched: ${best.why}`,
  };
}
