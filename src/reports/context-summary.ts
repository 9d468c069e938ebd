import type { EventRecord } from '../store/types.ts';

const RECENT_DECISIONS = 10;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * A knowledge write: the original's `knowledge_remembered`, which a write now emits beside our
 * `knowledge_changed`; only where none is stored (events older than that) the latter of a remember.
 */
function knowledgeWrites(events: readonly EventRecord[]): (e: EventRecord) => boolean {
  const remembered = events.some((e) => e.kind === 'knowledge_remembered');
  return (e) =>
    remembered
      ? e.kind === 'knowledge_remembered'
      : e.kind === 'knowledge_changed' && e.payload.action === 'remember';
}

/**
 * The materialised view of a channel's recent events (`GET /v1/context/summary`): who was
 * active, the last session and knowledge writes, and keys two agents wrote. References only.
 */
export function contextSummary(
  workspaceId: string,
  channelId: string,
  latest: number,
  events: EventRecord[],
) {
  const agents = new Set<string>();
  const counts: Record<string, number> = {};
  const decisions = [];
  const knowledgeDelta = [];
  const writers = new Map<string, { category: string; key: string; agents: Set<string> }>();
  const isKnowledgeWrite = knowledgeWrites(events);
  for (const e of events) {
    agents.add(e.actor);
    counts[e.kind] = (counts[e.kind] ?? 0) + 1;
    const knowledge = isKnowledgeWrite(e);
    if (e.kind === 'session_mutated' || knowledge) {
      decisions.push({
        agent: e.actor,
        tool: str(e.payload.tool) ?? (knowledge ? 'ctx_knowledge' : 'ctx_session'),
        action: str(e.payload.action),
        reasoning: str(e.payload.reasoning),
        timestamp: e.ts,
      });
    }
    if (knowledge) {
      const category = str(e.payload.category) ?? '';
      const key = str(e.payload.key) ?? '';
      knowledgeDelta.push({ category, key, agent: e.actor, timestamp: e.ts });
      const id = `${category}\u0000${key}`;
      const w = writers.get(id) ?? { category, key, agents: new Set<string>() };
      w.agents.add(e.actor);
      writers.set(id, w);
    }
  }
  return {
    workspaceId,
    channelId,
    totalEvents: events.length,
    latestVersion: latest,
    activeAgents: [...agents].sort(),
    recentDecisions: decisions.slice(-RECENT_DECISIONS),
    knowledgeDelta,
    conflictAlerts: [...writers.values()]
      .filter((w) => w.agents.size > 1)
      .map((w) => ({ category: w.category, key: w.key, agents: [...w.agents].sort() })),
    eventCountsByKind: counts,
  };
}
