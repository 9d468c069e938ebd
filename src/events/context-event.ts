import type { EventRecord } from '../store/types.ts';

/**
 * How strongly agents must agree on an event, as the original lean-ctx classed its kinds; our
 * own kinds are classed the same way (presence and metering local, shared facts eventual,
 * decisions and hand-overs strong). Unknown kinds are local, as the original treated them.
 */
const CONSISTENCY: Record<string, 'local' | 'eventual' | 'strong'> = {
  tool_call_recorded: 'local',
  graph_built: 'local',
  knowledge_remembered: 'eventual',
  artifact_stored: 'eventual',
  session_mutated: 'strong',
  proof_added: 'strong',
  knowledge_changed: 'eventual',
  agent_message: 'eventual',
  share_pushed: 'eventual',
  file_edited: 'eventual',
  handoff_created: 'strong',
  task_updated: 'strong',
  workflow_transition: 'strong',
};

export const consistencyOf = (kind: string) => CONSISTENCY[kind] ?? 'local';

/**
 * One event as the original lean-ctx clients decode it (`ContextEventV1`), plus our own
 * `revision` and `ts` (the same values as `id`/`version` and `timestamp`) for clients of ours.
 */
export interface ContextEventV1 {
  id: number;
  workspaceId: string;
  channelId: string;
  kind: string;
  actor: string | null;
  timestamp: string;
  version: number;
  parentId: number | null;
  consistencyLevel: 'local' | 'eventual' | 'strong';
  payload: Record<string, unknown>;
  revision: number;
  ts: string;
}

/** Token figures are metering, not references: only `audit` tokens see them. */
const METERING_KEYS = new Set(['tokensSent', 'tokensRaw', 'tokensSaved']);

/**
 * The references-only view of a payload for a token without the `audit` scope: short
 * strings, numbers, booleans and null stay (names, paths, ids, counts); nested values and
 * token figures go; `redacted: true` says so.
 */
export function refsOnly(payload: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (METERING_KEYS.has(key)) continue;
    if (
      value === null ||
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      (typeof value === 'string' && value.length <= 200)
    ) {
      out[key] = value;
    }
  }
  out.redacted = true;
  return out;
}

export function toContextEvent(e: EventRecord, fullPayload: boolean): ContextEventV1 {
  return {
    id: e.revision,
    workspaceId: e.workspaceId,
    channelId: e.channelId,
    kind: e.kind,
    actor: e.actor,
    timestamp: e.ts,
    version: e.revision,
    parentId: null,
    consistencyLevel: consistencyOf(e.kind),
    payload: fullPayload ? e.payload : refsOnly(e.payload),
    revision: e.revision,
    ts: e.ts,
  };
}

/** Stored events a replay did not send: removed by retention, or past the replay's `limit`. */
export interface ReplayGap {
  reason: 'retention' | 'limit';
  since: number;
  skippedFrom: number;
  skippedThrough: number;
}

/**
 * The `replay_truncated` event announcing a gap. Its id is the last id it skips, so a client
 * that resumes after it (as after any event) resumes where the stream went on; the payload
 * says which ids to ask for (`since = skippedFrom - 1`) to fetch them. The top-level `since`,
 * `skippedThrough` and `maxReplayEvents` are the fields this notice had before.
 */
export function replayNotice(
  at: { workspaceId: string; channelId: string; ts: string },
  gap: ReplayGap,
  limit: number,
): ContextEventV1 & { since: number; skippedThrough: number; maxReplayEvents: number } {
  return {
    id: gap.skippedThrough,
    workspaceId: at.workspaceId,
    channelId: at.channelId,
    kind: 'replay_truncated',
    actor: null,
    timestamp: at.ts,
    version: gap.skippedThrough,
    parentId: null,
    consistencyLevel: 'local',
    payload: { ...gap, limit },
    revision: gap.skippedThrough,
    ts: at.ts,
    since: gap.since,
    skippedThrough: gap.skippedThrough,
    maxReplayEvents: limit,
  };
}
