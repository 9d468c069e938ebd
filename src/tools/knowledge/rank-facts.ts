import type { Fact, ScoredFact } from '../../store/knowledge.ts';

export interface RankedFact {
  fact: Fact;
  score: number;
}

const DAY_MS = 86_400_000;
/** A fact confirmed this long ago has half the recency boost of one confirmed now. */
const RECENCY_HALF_LIFE_DAYS = 30;

/** 0..1: how recently the fact was recorded or confirmed. */
export function recencyOf(fact: Fact, now: number): number {
  const last = Math.max(Date.parse(fact.recordedAt), Date.parse(fact.lastConfirmed));
  const days = Math.max(0, (now - last) / DAY_MS);
  return 0.5 ** (days / RECENCY_HALF_LIFE_DAYS);
}

/** -1..1: the balance of up- and down-votes. */
export const feedbackOf = (fact: Fact): number => Math.tanh((fact.feedbackUp - fact.feedbackDown) / 3);

/**
 * Recall order: BM25 relevance, scaled by confidence, recency (up to +25%) and feedback
 * (−50% … +50%). Relevance stays first: nothing that does not match is lifted in.
 */
export function rankFacts(candidates: readonly ScoredFact[], now: number): RankedFact[] {
  return candidates
    .map(({ fact, bm25 }) => ({
      fact,
      score:
        bm25 *
        (0.6 + 0.4 * fact.confidence) *
        (1 + 0.25 * recencyOf(fact, now)) *
        (1 + 0.5 * feedbackOf(fact)),
    }))
    .sort((a, b) => b.score - a.score || b.fact.id - a.fact.id);
}
