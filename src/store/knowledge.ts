import { tokenize } from '../engine/bm25/tokenize.ts';

/**
 * Team knowledge: facts and patterns per workspace, bi-temporal (valid time: when a fact is
 * true; record time: when the store learned it, closed it, removed it), with relations
 * between keys. Implementations keep every read-modify-write atomic in the store, so
 * replicas on one database never lose or fork a fact.
 */

export const FACT_KINDS = ['fact', 'pattern'] as const;
export type FactKind = (typeof FACT_KINDS)[number];

export const RELATION_KINDS = ['depends_on', 'related_to', 'supports', 'contradicts', 'supersedes'] as const;
export type RelationKind = (typeof RELATION_KINDS)[number];

export interface Fact {
  id: number;
  workspaceId: string;
  kind: FactKind;
  category: string;
  key: string;
  value: string;
  examples: readonly string[];
  confidence: number;
  /** Valid time: when the fact became true, and when it stopped (null: still true). */
  validFrom: string;
  validUntil: string | null;
  /** Record time: when it was recorded, when a later value closed it, when it was removed. */
  recordedAt: string;
  closedAt: string | null;
  removedAt: string | null;
  supersedes: number | null;
  supersededBy: number | null;
  /** The agent (token id) that recorded it. */
  source: string;
  confirmations: number;
  lastConfirmed: string;
  feedbackUp: number;
  feedbackDown: number;
  retrievals: number;
}

/** What a writer says about a fact; the store adds ids and record time. */
export type FactContent = Pick<
  Fact,
  'workspaceId' | 'kind' | 'category' | 'key' | 'value' | 'examples' | 'confidence' | 'source'
>;

export interface NewFact extends FactContent {
  /** Default: `now`. */
  validFrom?: string | undefined;
  now: string;
  /** Its search terms when already computed (factTerms), else the store computes them. */
  terms?: FactTerms | undefined;
}

/** A first, current version of a fact: recorded and valid from `now` (or `validFrom`), no votes yet. */
export function firstVersion(
  f: FactContent,
  now: string,
  validFrom = now,
): Omit<Fact, 'id' | 'supersedes' | 'supersededBy'> {
  return {
    workspaceId: f.workspaceId,
    kind: f.kind,
    category: f.category,
    key: f.key,
    value: f.value,
    examples: f.examples,
    confidence: f.confidence,
    source: f.source,
    validFrom,
    validUntil: null,
    recordedAt: now,
    closedAt: null,
    removedAt: null,
    confirmations: 1,
    lastConfirmed: now,
    feedbackUp: 0,
    feedbackDown: 0,
    retrievals: 0,
  };
}

export type RememberResult =
  | { outcome: 'created'; fact: Fact }
  | { outcome: 'confirmed'; fact: Fact }
  | { outcome: 'superseded'; fact: Fact; previous: Fact }
  /** `validFrom` is not after the current value's: history is only appended to. */
  | { outcome: 'refused'; current: Fact };

export interface FactRef {
  category: string;
  key: string;
}

export interface Relation {
  workspaceId: string;
  from: FactRef;
  to: FactRef;
  kind: RelationKind;
  source: string;
  createdAt: string;
  lastSeen: string;
  count: number;
}

export interface ScoredFact {
  fact: Fact;
  /** BM25 of the fact's text for the query; higher is better. */
  bm25: number;
}

export interface FactQuery {
  /** Facts valid at this time (default: now); ignored with `history`. */
  asOf?: string | undefined;
  /** Every recorded version, closed ones too (removed ones never). */
  history?: boolean;
  category?: string | undefined;
  limit: number;
}

export interface KnowledgeStats {
  current: number;
  versions: number;
  removed: number;
  patterns: number;
  relations: number;
  categories: { category: string; facts: number }[];
  /** The newest recorded version. */
  lastChange: { at: string; source: string } | undefined;
}

/** What `export` writes and `import` reads. */
export interface KnowledgeDump {
  facts: Fact[];
  relations: Relation[];
  /** factTerms of each fact, in order, when already computed. */
  terms?: readonly FactTerms[] | undefined;
}

export interface ImportReport {
  /** `restored`: history copied into an empty workspace; `merged`: current facts remembered. */
  mode: 'restored' | 'merged';
  facts: number;
  superseded: number;
  confirmed: number;
  /** Merged facts whose valid time starts before the current value's: the current one stays. */
  skipped: number;
  relations: number;
}

export interface KnowledgeStore {
  /**
   * Records a value for category+key atomically: the same value confirms the current fact,
   * a different one closes it and records what the new one supersedes.
   */
  remember(fact: NewFact): Promise<RememberResult>;
  /** The latest version of a key (open, or closed by a future valid time), not removed. */
  current(workspaceId: string, ref: FactRef): Promise<Fact | undefined>;
  /** Facts matching query terms, best BM25 first. */
  search(workspaceId: string, terms: readonly string[], query: FactQuery): Promise<ScoredFact[]>;
  /** Facts without a query: newest first. */
  list(workspaceId: string, query: FactQuery & { kind?: FactKind | undefined }): Promise<Fact[]>;
  /** Every version of a key (or of the workspace), newest record first, removed ones included. */
  history(workspaceId: string, ref: FactRef | undefined, limit: number): Promise<Fact[]>;
  feedback(workspaceId: string, ref: FactRef, vote: 'up' | 'down'): Promise<Fact | undefined>;
  /** Removes the key's current fact (record time ends; history keeps it). */
  remove(workspaceId: string, ref: FactRef, now: string): Promise<Fact | undefined>;
  /** Counts a recall that returned these facts. */
  retrieved(ids: readonly number[]): Promise<void>;
  /**
   * Retires each `drop` fact in favour of its `keep` fact, if both are still current, and
   * records a `supersedes` relation; one transaction. Returns the pairs applied.
   */
  retire(
    workspaceId: string,
    pairs: readonly { keep: number; drop: number }[],
    source: string,
    now: string,
  ): Promise<{ keep: Fact; drop: Fact }[]>;
  relate(relation: Omit<Relation, 'createdAt' | 'lastSeen' | 'count'>, now: string): Promise<Relation>;
  /** Removes relations from `from` (to `to`, of `kind` when given); the number removed. */
  unrelate(workspaceId: string, from: FactRef, to?: FactRef, kind?: RelationKind): Promise<number>;
  /** Relations touching a key, or all of the workspace. */
  relations(workspaceId: string, about?: FactRef): Promise<Relation[]>;
  /** Fact versions the workspace holds (current, closed and removed). */
  count(workspaceId: string): Promise<number>;
  stats(workspaceId: string): Promise<KnowledgeStats>;
  dump(workspaceId: string, category?: string): Promise<KnowledgeDump>;
  /** Applies a validated dump in one transaction: all of it or none. */
  load(workspaceId: string, dump: KnowledgeDump, source: string, now: string): Promise<ImportReport>;
}

/**
 * Search terms of knowledge text: the code tokenizer's identifiers (camelCase and
 * snake_case split) plus words in other scripts, which it skips.
 */
export function knowledgeTerms(text: string): string[] {
  const out = tokenize(text);
  for (const [word] of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    if (/[^ -~]/.test(word)) out.push(word.toLowerCase());
  }
  return out;
}

/** The indexed text of a fact: its name (category, key) and its body (value, examples), as terms. */
export interface FactTerms {
  head: string;
  body: string;
}

/** What a store indexes for a fact; computed in a worker for many facts at once (imports). */
export function factTerms(f: Pick<Fact, 'category' | 'key' | 'value' | 'examples'>): FactTerms {
  return {
    head: knowledgeTerms(`${f.category} ${f.key}`).join(' '),
    body: knowledgeTerms([f.value, ...f.examples].join('\n')).join(' '),
  };
}

/** Every word and number, stop words and single characters included: "16" and "16.2" differ. */
const wordSet = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** Word-set overlap of two values, 0..1 (Jaccard); values without words overlap only when equal. */
export function valueSimilarity(a: string, b: string): number {
  const x = wordSet(a);
  const y = wordSet(b);
  if (x.size === 0 && y.size === 0) return a.trim() === b.trim() ? 1 : 0;
  let shared = 0;
  for (const t of x) if (y.has(t)) shared++;
  return shared / (x.size + y.size - shared);
}

/** Two values say the same thing: equal after trimming, or sharing more than 80% of their words. */
export const valuesAgree = (a: string, b: string): boolean =>
  a.trim() === b.trim() || valueSimilarity(a, b) > 0.8;
