import type { ToolInfo } from '../registry.ts';
import { editDistance } from './rank-names.ts';

/**
 * Phrases agents use for what a tool does under another name: each adds its words to the
 * query (weighted below the query's own words).
 */
const SYNONYMS: [phrase: string, adds: string[]][] = [
  ['blast radius', ['impact', 'affected', 'dependents']],
  ['what breaks', ['impact', 'affected']],
  ['affected', ['impact']],
  ['who calls', ['callers', 'callgraph']],
  ['callers', ['callgraph']],
  ['caller', ['callgraph', 'callers']],
  ['usages', ['callers', 'references']],
  ['references', ['callers', 'symbol']],
  ['call graph', ['callgraph', 'callers', 'callees']],
  ['duplicate', ['dedup']],
  ['duplicates', ['dedup']],
  ['copy paste', ['dedup', 'duplicate']],
  ['clone', ['dedup', 'duplicate']],
  ['grep', ['search']],
  ['find text', ['search']],
  ['cat', ['read']],
  ['open file', ['read']],
  ['ls', ['tree', 'list']],
  ['directory', ['tree']],
  ['diff', ['git']],
  ['commit', ['git']],
  ['remember', ['knowledge', 'memory']],
  ['memory', ['knowledge']],
  ['notes', ['knowledge']],
  ['run', ['shell', 'exec']],
  ['command', ['shell']],
  ['definition', ['symbol', 'graph']],
  ['where defined', ['symbol', 'graph']],
  ['imports', ['graph', 'related']],
  ['dependencies', ['graph', 'related']],
  ['reindex', ['index', 'build']],
  ['tokens', ['metrics', 'savings']],
];

/** How much a match in each part of a tool counts. */
const FIELD_WEIGHTS = { name: 3, description: 1, args: 0.5 } as const;
const SYNONYM_WEIGHT = 0.7;
/** Tools scoring under this share of the best one are noise, not answers. */
const MIN_SHARE_OF_TOP = 0.25;

/** A light English stemmer: plurals and -ing/-ed/-ion endings ("callers" stays apart from "call"). */
export function stem(word: string): string {
  let w = word.toLowerCase();
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(ss|us|is)$/.test(w)) {
    // class, status, analysis: not plurals
  } else if (w.endsWith('es') && /(sh|ch|x|z)es$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s')) w = w.slice(0, -1);
  for (const suffix of ['ing', 'ed', 'ion', 'ation', 'ly']) {
    if (w.endsWith(suffix) && w.length - suffix.length >= 4) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.endsWith('e') && w.length > 4) w = w.slice(0, -1);
  return w;
}

const words = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && w !== 'ctx');

interface Doc {
  info: ToolInfo;
  fields: Record<keyof typeof FIELD_WEIGHTS, string[]>;
}

function docOf(info: ToolInfo): Doc {
  const props = (info.inputSchema.properties ?? {}) as Record<string, { description?: string }>;
  const args = Object.entries(props).flatMap(([k, v]) => [...words(k), ...words(v.description ?? '')]);
  return {
    info,
    fields: {
      name: words(info.name).map(stem),
      description: words(info.description).map(stem),
      args: args.map(stem),
    },
  };
}

/** 1 for the same stem, 0.6 when one is most of the other (search / searches), 0.4 one edit away. */
function closeness(term: string, token: string): number {
  if (term === token) return 1;
  const [short, long] = term.length <= token.length ? [term, token] : [token, term];
  if (short.length >= 4 && short.length >= long.length * 0.7 && long.startsWith(short)) return 0.6;
  // a typo keeps the first letter ("serch"); "blast" is not "last"
  if (term.length > 3 && term[0] === token[0] && Math.abs(term.length - token.length) <= 1) {
    if (editDistance(term, token) <= 1) return 0.4;
  }
  return 0;
}

function fieldScore(term: string, tokens: readonly string[]): number {
  let best = 0;
  for (const t of tokens) best = Math.max(best, closeness(term, t));
  return best;
}

/** The query's terms with weights: its own words, then what synonym phrases in it add. */
function queryTerms(query: string): Map<string, number> {
  const terms = new Map<string, number>();
  for (const w of words(query)) terms.set(stem(w), 1);
  const padded = ` ${words(query).join(' ')} `;
  for (const [phrase, adds] of SYNONYMS) {
    if (!padded.includes(` ${phrase} `)) continue;
    for (const a of adds) if (!terms.has(stem(a))) terms.set(stem(a), SYNONYM_WEIGHT);
  }
  return terms;
}

/**
 * Tools ranked for a free-text query over names, descriptions and argument docs (stemmed,
 * prefix and one-typo matches, a small synonym table), rarer terms counting more. A tool
 * must match half of the query's own words or a synonym the query's phrase brought in; best first.
 */
export function rankTools(tools: readonly ToolInfo[], query: string): ToolInfo[] {
  const terms = queryTerms(query);
  const own = [...terms.values()].filter((w) => w === 1).length;
  const docs = tools.map(docOf);
  const idf = new Map<string, number>();
  for (const term of terms.keys()) {
    const df = docs.filter((d) => Object.values(d.fields).some((f) => fieldScore(term, f) > 0)).length;
    idf.set(term, Math.log(1 + (docs.length + 1) / (df + 0.5)));
  }
  const scored = docs.map((d) => {
    let score = 0;
    let matchedOwn = 0;
    let matchedSynonym = false;
    for (const [term, weight] of terms) {
      let s = 0;
      for (const [field, w] of Object.entries(FIELD_WEIGHTS) as [keyof typeof FIELD_WEIGHTS, number][])
        s += w * fieldScore(term, d.fields[field]);
      if (s > 0 && weight === 1) matchedOwn++;
      if (s > 0 && weight < 1) matchedSynonym = true;
      score += s * weight * idf.get(term)!;
    }
    return { info: d.info, score, matchedOwn, matchedSynonym };
  });
  const top = Math.max(0, ...scored.map((r) => r.score));
  return scored
    .filter(
      (r) =>
        r.score > 0 && r.score >= top * MIN_SHARE_OF_TOP && (r.matchedOwn * 2 >= own || r.matchedSynonym),
    )
    .sort((a, b) => b.score - a.score || (a.info.name < b.info.name ? -1 : 1))
    .map((r) => r.info);
}
