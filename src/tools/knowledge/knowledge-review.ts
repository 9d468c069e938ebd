import { createPacer } from '../../engine/workers/pacer.ts';
import { type Fact, type Relation, valuesAgree } from '../../store/knowledge.ts';
import { factLabel, refText, relationLine } from './format-facts.ts';
import { feedbackOf, recencyOf } from './rank-facts.ts';

/** How much a fact is trusted: confidence, confirmations, votes, recency. */
const quality = (f: Fact, now: number) =>
  f.confidence + 0.1 * Math.min(f.confirmations, 5) + 0.3 * feedbackOf(f) + 0.1 * recencyOf(f, now);

/**
 * Pairs of current facts of one category and kind under different keys whose values say
 * the same thing: the better one is kept, the other retired. Yields the event loop as it goes.
 */
export async function findDuplicates(
  facts: readonly Fact[],
  now: number,
  signal: AbortSignal,
): Promise<{ keep: Fact; drop: Fact }[]> {
  const pacer = createPacer(signal);
  const groups = new Map<string, Fact[]>();
  for (const f of facts) {
    const k = `${f.kind}\u0000${f.category}`;
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  const pairs: { keep: Fact; drop: Fact }[] = [];
  for (const group of groups.values()) {
    const kept: Fact[] = [];
    for (const f of group.sort((a, b) => quality(b, now) - quality(a, now) || a.id - b.id)) {
      await pacer.pace();
      const twin = kept.find((k) => valuesAgree(k.value, f.value));
      if (twin) pairs.push({ keep: twin, drop: f });
      else kept.push(f);
    }
  }
  return pairs;
}

const DAY_MS = 86_400_000;
const STALE_DAYS = 90;
const RECENT_CHANGE_DAYS = 7;

const sample = (facts: readonly Fact[]) =>
  facts.slice(0, 5).map(factLabel).join(', ') + (facts.length > 5 ? ', …' : '');

/** What deserves a look: weak, disputed, stale or changing facts and relations to nothing. */
export function healthFindings(
  facts: readonly Fact[],
  relations: readonly Relation[],
  now: number,
): string[] {
  const findings: string[] = [];
  const add = (list: readonly Fact[], what: string) => {
    if (list.length > 0) findings.push(`${list.length} ${what}: ${sample(list)}`);
  };
  add(
    facts.filter((f) => f.confidence < 0.5),
    'facts with confidence below 0.5',
  );
  add(
    facts.filter((f) => f.feedbackDown > f.feedbackUp),
    'facts with more down- than up-votes',
  );
  add(
    facts.filter((f) => now - Date.parse(f.lastConfirmed) > STALE_DAYS * DAY_MS),
    `facts not recorded or confirmed for ${STALE_DAYS} days`,
  );
  const since = new Date(now - RECENT_CHANGE_DAYS * DAY_MS).toISOString();
  add(
    facts.filter((f) => f.supersedes !== null && f.recordedAt >= since),
    `values changed in the last ${RECENT_CHANGE_DAYS} days (timeline shows what they replaced)`,
  );
  const live = new Set(facts.map((f) => refText(f)));
  const dangling = relations.filter((r) => !live.has(refText(r.from)) || !live.has(refText(r.to)));
  if (dangling.length > 0) {
    findings.push(
      `${dangling.length} relations with an end that has no current fact: ${dangling.slice(0, 5).map(relationLine).join('; ')}`,
    );
  }
  return findings;
}
