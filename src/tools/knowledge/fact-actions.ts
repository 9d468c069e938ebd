import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import { ToolError } from '../../errors.ts';
import {
  type Fact,
  type FactKind,
  type FactRef,
  knowledgeTerms,
  type RememberResult,
  valueSimilarity,
} from '../../store/knowledge.ts';
import type { ToolContext } from '../define-tool.ts';
import {
  factLabel,
  quoted,
  recallLine,
  refText,
  statusText,
  timelineLine,
  validityText,
} from './format-facts.ts';
import { parseDumpText, toDumpText } from './knowledge-dump.ts';
import {
  type Action,
  type Args,
  changed,
  type Handler,
  isoOf,
  nowIso,
  refOf,
  refOrNone,
} from './knowledge-input.ts';
import { KNOWLEDGE_LIMITS } from './knowledge-limits.ts';
import { findDuplicates, healthFindings } from './knowledge-review.ts';
import { rankFacts } from './rank-facts.ts';

/** Refuses a write past the workspace's fact limit. */
async function ensureRoom(ctx: ToolContext, adding: number): Promise<void> {
  const versions = await ctx.store.knowledge.count(ctx.workspace.id);
  if (versions + adding > KNOWLEDGE_LIMITS.factsPerWorkspace) {
    throw new ToolError(
      `workspace "${ctx.workspace.id}" holds ${versions} fact versions, the limit is ${KNOWLEDGE_LIMITS.factsPerWorkspace.toLocaleString('en-US')}; export and remove what is no longer needed, or consolidate`,
    );
  }
}

/** How hard a new value contradicts the one it closes. */
function severity(previous: Fact, value: string): 'high' | 'medium' | 'low' {
  if (valueSimilarity(previous.value, value) >= 0.5) return 'low';
  return previous.confidence >= 0.8 || previous.confirmations >= 3 ? 'high' : 'medium';
}

function rememberAnswer(r: RememberResult, ctx: ToolContext, action: Action): string {
  if (r.outcome === 'refused') {
    throw new ToolError(
      `valid_from must be after the current value's (${r.current.validFrom}, ${factLabel(r.current)}): history is only appended to`,
    );
  }
  const f = r.fact;
  const refs = { category: f.category, key: f.key, factId: f.id, outcome: r.outcome };
  if (r.outcome === 'confirmed') {
    changed(ctx, action, refs);
    return `confirmed ${factLabel(f)} = ${quoted(f.value)} (${f.confirmations} confirmations, confidence ${f.confidence.toFixed(2)})`;
  }
  if (r.outcome === 'created') {
    changed(ctx, action, refs);
    return `remembered ${factLabel(f)} = ${quoted(f.value)} (${validityText(f)})`;
  }
  const p = r.previous;
  changed(ctx, action, { ...refs, supersedes: p.id });
  return [
    `updated ${factLabel(f)} = ${quoted(f.value)} (${validityText(f)}), supersedes #${p.id}`,
    `contradiction (${severity(p, f.value)}): #${p.id} said ${quoted(p.value)} (${validityText(p)}, confidence ${p.confidence.toFixed(2)}, ${p.confirmations} confirmations, by ${p.source})`,
  ].join('\n');
}

async function rememberAs(kind: FactKind, a: Args, ctx: ToolContext, ref: FactRef): Promise<string> {
  await ensureRoom(ctx, 1);
  const r = await ctx.store.knowledge.remember({
    workspaceId: ctx.workspace.id,
    kind,
    ...ref,
    value: a.value as string,
    examples: a.examples ?? [],
    confidence: a.confidence ?? 0.8,
    source: ctx.agentId,
    validFrom: isoOf(a.valid_from),
    now: nowIso(),
  });
  return rememberAnswer(r, ctx, kind === 'pattern' ? 'pattern' : 'remember');
}

/** A pattern's key when none is given: its first words. */
const slug = (value: string) => knowledgeTerms(value).slice(0, 8).join('-').slice(0, 64) || 'pattern';

/** Ranked facts for a query: current ones (recall) or every version (search). */
async function ranked(a: Args, ctx: ToolContext, history: boolean) {
  const query = a.query as string;
  const terms = [...new Set(knowledgeTerms(query))].slice(0, 64);
  if (terms.length === 0) throw new ToolError(`query "${query}" has no searchable words`);
  const limit = a.limit ?? 10;
  const pool = Math.max(100, limit * 10);
  const candidates = await ctx.store.knowledge.search(ctx.workspace.id, terms, {
    asOf: isoOf(a.as_of),
    history,
    category: a.category,
    limit: pool,
  });
  let hits = rankFacts(candidates, Date.now());
  if (a.mode === 'exact') {
    const needle = query.toLowerCase();
    hits = hits.filter(({ fact }) =>
      `${fact.category} ${fact.key} ${fact.value}`.toLowerCase().includes(needle),
    );
  }
  const more = candidates.length === pool ? '+' : '';
  return { hits: hits.slice(0, limit), matched: `${hits.length}${more}` };
}

function asJson(query: string | undefined, hits: { fact: Fact; score?: number }[]): string {
  return JSON.stringify({ query: query ?? null, facts: hits.map(({ fact, score }) => ({ ...fact, score })) });
}

/** Facts: remember, recall, search, timeline, votes, removal, review and transfer. */
export const factHandlers: Record<
  Exclude<Action, 'relate' | 'unrelate' | 'relations' | 'relations_diagram'>,
  Handler
> = {
  remember: (a, ctx) => rememberAs('fact', a, ctx, refOf(a)),

  pattern: (a, ctx) =>
    rememberAs('pattern', a, ctx, {
      category: (a.pattern_type ?? a.category) as string,
      key: a.key ?? slug(a.value as string),
    }),

  async recall(a, ctx) {
    const at = a.as_of ? ` as of ${a.as_of}` : '';
    if (a.query === undefined) {
      const facts = await ctx.store.knowledge.list(ctx.workspace.id, {
        asOf: isoOf(a.as_of),
        category: a.category,
        limit: a.limit ?? 10,
      });
      if (a.format === 'json')
        return asJson(
          undefined,
          facts.map((fact) => ({ fact })),
        );
      if (facts.length === 0) return `no facts in [${a.category}]${at}`;
      const lines = facts.map((f, i) => recallLine(i + 1, f, undefined));
      return [`${facts.length} newest facts in [${a.category}]${at}:`, ...lines].join('\n');
    }
    const { hits, matched } = await ranked(a, ctx, false);
    await ctx.store.knowledge.retrieved(hits.map((h) => h.fact.id));
    if (a.format === 'json') return asJson(a.query, hits);
    if (hits.length === 0) return `no facts match "${a.query}"${at}; action=status shows what is known`;
    const lines = hits.map((h, i) => recallLine(i + 1, h.fact, h.score));
    return [`${hits.length} of ${matched} matching facts for "${a.query}"${at}:`, ...lines].join('\n');
  },

  async search(a, ctx) {
    const { hits, matched } = await ranked(a, ctx, true);
    if (a.format === 'json') return asJson(a.query, hits);
    if (hits.length === 0) return `no fact, current or past, matches "${a.query}"`;
    const lines = hits.map((h) => timelineLine(h.fact));
    return [`${hits.length} of ${matched} fact versions (current and past) for "${a.query}":`, ...lines].join(
      '\n',
    );
  },

  async feedback(a, ctx) {
    const f = await ctx.store.knowledge.feedback(ctx.workspace.id, refOf(a), a.value as 'up' | 'down');
    if (!f) throw new ToolError(`no current fact ${refText(refOf(a))}`);
    changed(ctx, 'feedback', { category: f.category, key: f.key, factId: f.id });
    return `feedback recorded: ${factLabel(f)} now +${f.feedbackUp}/-${f.feedbackDown}`;
  },

  async consolidate(a, ctx) {
    const facts = await ctx.store.knowledge.list(ctx.workspace.id, {
      category: a.category,
      limit: KNOWLEDGE_LIMITS.scanFacts,
    });
    const pairs = await findDuplicates(facts, Date.now(), ctx.signal);
    const ids = pairs.map((p) => ({ keep: p.keep.id, drop: p.drop.id }));
    const done = await ctx.store.knowledge.retire(ctx.workspace.id, ids, ctx.agentId, nowIso());
    if (done.length > 0) changed(ctx, 'consolidate', { category: a.category ?? null, count: done.length });
    const head = `consolidated ${done.length} duplicate facts among ${facts.length} current ones${a.category ? ` in [${a.category}]` : ''}`;
    return [head, ...done.map((d) => `  kept ${factLabel(d.keep)}, retired ${factLabel(d.drop)}`)].join('\n');
  },

  async status(_a, ctx) {
    return statusText(ctx.workspace.id, await ctx.store.knowledge.stats(ctx.workspace.id));
  },

  async health(_a, ctx) {
    const ws = ctx.workspace.id;
    const facts = await ctx.store.knowledge.list(ws, { limit: KNOWLEDGE_LIMITS.scanFacts });
    const findings = healthFindings(facts, await ctx.store.knowledge.relations(ws), Date.now());
    const head = `knowledge health of workspace "${ws}": ${facts.length} current facts checked (newest ${KNOWLEDGE_LIMITS.scanFacts.toLocaleString('en-US')} at most), ${findings.length} findings`;
    return [head, ...findings.map((f) => `- ${f}`)].join('\n');
  },

  async remove(a, ctx) {
    const f = await ctx.store.knowledge.remove(ctx.workspace.id, refOf(a), nowIso());
    if (!f) throw new ToolError(`no current fact ${refText(refOf(a))}`);
    changed(ctx, 'remove', { category: f.category, key: f.key, factId: f.id });
    return `removed ${factLabel(f)} (its history stays in the timeline)`;
  },

  async export(a, ctx) {
    const dump = await ctx.store.knowledge.dump(ctx.workspace.id, a.category);
    if (dump.facts.length > KNOWLEDGE_LIMITS.transferFacts) {
      throw new ToolError(
        `${dump.facts.length} fact versions; an export holds at most ${KNOWLEDGE_LIMITS.transferFacts.toLocaleString('en-US')}: export one category at a time (category=…)`,
      );
    }
    return toDumpText({ workspaceId: ctx.workspace.id, exportedAt: nowIso() }, dump);
  },

  async import(a, ctx) {
    const dump = parseDumpText(a.value as string);
    await ensureRoom(ctx, dump.facts.length);
    // tokenizing thousands of facts is the slow part: a worker does it, the transaction only writes
    const terms = await runEngineTask('knowledgeTerms', dump.facts, { signal: ctx.signal });
    const r = await ctx.store.knowledge.load(ctx.workspace.id, { ...dump, terms }, ctx.agentId, nowIso());
    changed(ctx, 'import', { count: r.facts });
    return r.mode === 'restored'
      ? `restored ${r.facts} fact versions (${r.superseded} superseded) and ${r.relations} relations into the empty workspace`
      : `merged: ${r.facts} facts recorded (${r.superseded} of them superseding a different value), ${r.confirmed} confirmed, ${r.skipped} older than the current value kept out, ${r.relations} relations`;
  },

  async timeline(a, ctx) {
    const ref = refOrNone(a);
    const versions = await ctx.store.knowledge.history(ctx.workspace.id, ref, a.limit ?? 20);
    if (a.format === 'json')
      return asJson(
        undefined,
        versions.map((fact) => ({ fact })),
      );
    if (versions.length === 0) return ref ? `nothing recorded for ${refText(ref)}` : 'nothing recorded yet';
    const head = ref ? `timeline of ${refText(ref)} (newest first):` : 'latest changes (newest first):';
    return [head, ...versions.map(timelineLine)].join('\n');
  },
};
