import type { EventFanOut } from '../events/event-hub.ts';
import type { Logger } from '../logger.ts';
import type { ArchiveStore } from './archives.ts';
import type { SharedSessionStores } from './shared-session-stores.ts';

/**
 * Storage interfaces. The embedded default is SQLite; PostgreSQL and Redis implement the
 * same interfaces for scale-out, so nothing above this folder knows which one it has.
 */

import type { BudgetStore } from './budgets.ts';
import type { EvidenceStore } from './evidence.ts';
import type { KnowledgeStore } from './knowledge.ts';

export interface EventRecord {
  workspaceId: string;
  channelId: string;
  /** Per workspace+channel counter, starting at 1; the SSE `id:`. */
  revision: number;
  kind: string;
  /** Token id of the agent that caused it. */
  actor: string;
  ts: string;
  payload: Record<string, unknown>;
}

export type NewEvent = Omit<EventRecord, 'revision' | 'ts'> & { ts?: string };

export interface ChannelInfo {
  channelId: string;
  revision: number;
  agents: string[];
  lastActivity: string;
}

/** The most terms one event search may have (EventStore.search). */
export const MAX_EVENT_SEARCH_TERMS = 8;

export interface AppendOptions {
  /** A caller waits for the commit before it answers: commit without waiting for a batch timer. */
  awaited?: boolean;
}

export interface EventStore {
  /**
   * Appends and returns the event with its revision. Revisions are assigned in call order
   * and appends of one channel settle in that order (subscribers rely on it).
   */
  append(event: NewEvent, opts?: AppendOptions): Promise<EventRecord>;
  /** Events of a channel with revision > `after`, oldest first. */
  since(workspaceId: string, channelId: string, after: number, limit: number): Promise<EventRecord[]>;
  /** The channel's newest revision (0 when it has none). */
  latestRevision(workspaceId: string, channelId: string): Promise<number>;
  /**
   * Newest first, events of a workspace (or one of its channels) whose payload JSON contains
   * every term (ASCII case-insensitive), looking at the newest `scan` events only.
   */
  search(
    workspaceId: string,
    channelId: string | undefined,
    terms: readonly string[],
    opts: { limit: number; scan: number },
  ): Promise<EventRecord[]>;
  channels(workspaceId: string): Promise<ChannelInfo[]>;
  /**
   * Each channel's newest event (revision and time), by channel id: index seeks only, so it
   * stays cheap however many events a channel holds (`channels` reads them all).
   */
  heads(workspaceId: string): Promise<{ channelId: string; revision: number; ts: string }[]>;
  /**
   * Deletes events older than `olderThan` (ISO time) and all but the newest `keepPerChannel`
   * of each channel; a channel's newest event always stays, so revisions keep counting up.
   * Returns how many were deleted.
   */
  prune(retention: { olderThan: string; keepPerChannel: number }): Promise<number>;
}

export interface UsageRecord {
  ts?: string;
  workspaceId: string;
  agentId: string;
  contextId: string | undefined;
  tool: string;
  /** o200k tokens of what the client received. */
  tokensSent: number;
  /** Tokens the tool reports it saved (from its footer), 0 when none. */
  tokensSaved: number;
  durationMs: number;
  isError: boolean;
  /** o200k tokens of the plain form the answer stood in for (the whole file); 0 when none. */
  tokensRaw?: number;
  /** The workspace-relative file the call read (the first of several); undefined when none. */
  path?: string | undefined;
}

export interface ToolUsage {
  tool: string;
  calls: number;
  tokensSent: number;
  tokensSaved: number;
  errors: number;
}

export interface UsageSummary {
  calls: number;
  tokensSent: number;
  tokensSaved: number;
  byTool: ToolUsage[];
}

export interface UsageFilter {
  workspaceId: string;
  agentId?: string;
  contextId?: string;
  sinceTs?: string;
}

/** Saved tokens of one agent and tool, all time (or of one UTC day, for `byDay`). */
export interface UsageRollup {
  byAgentTool: { agentId: string; tool: string; calls: number; tokensSaved: number; lastTs: string }[];
  /** From `sinceDay` (YYYY-MM-DD, UTC) on, per day (of the filter's agent, or of all). */
  byDay: { day: string; calls: number; tokensSaved: number }[];
}

export interface UsageRollupFilter {
  /** Only these workspaces; undefined = all. */
  workspaceIds: readonly string[] | undefined;
  agentId?: string;
  sinceDay: string;
}

/** Calls of one minute, tool and agent (the observatory's live charts). */
export interface UsageActivity {
  /** `YYYY-MM-DDTHH:MM`, UTC. */
  minute: string;
  tool: string;
  agentId: string;
  calls: number;
  errors: number;
  tokensSent: number;
  tokensSaved: number;
}

export interface UsageActivityFilter {
  /** Only these workspaces; undefined = all. */
  workspaceIds: readonly string[] | undefined;
  /** ISO time; rows at or after it (an index range, so a short window stays cheap on any table). */
  sinceTs: string;
}

export interface UsageStore {
  record(usage: UsageRecord): Promise<void>;
  /** Per minute, tool and agent since `sinceTs`, oldest minute first. */
  activity(filter: UsageActivityFilter): Promise<UsageActivity[]>;
  summary(filter: UsageFilter): Promise<UsageSummary>;
  /** What the savings reports are made of, across workspaces. */
  rollup(filter: UsageRollupFilter): Promise<UsageRollup>;
  /**
   * Usage per agent, per tool and per day, for the gain and cost reports. An agent filter
   * with a window has no per-tool figures (RangeError): the roll-ups keep tools per day, not per agent.
   */
  totals(filter: UsageTotalsFilter): Promise<UsageTotals>;
  /** Reads per file (or directory) of each workspace, most read first (at most `limit`). */
  pathReads(filter: PathReadsFilter): Promise<PathReads[]>;
  /** Starts an agent's (or, agentId undefined, every agent's) cost count afresh; keeps every usage row. */
  resetCost(reset: CostReset): Promise<void>;
  /** The totals at the last cost reset, per agent and tool, which cost reports subtract. */
  costBaselines(workspaceIds: readonly string[] | undefined): Promise<CostBaseline[]>;
  /** An LLM round trip an agent reported (ctx_feedback). */
  recordFeedback(feedback: LlmFeedback): Promise<void>;
  feedbackSummary(filter: FeedbackFilter): Promise<FeedbackSummary>;
  /** Deletes the feedback rows the filter matches; returns how many. */
  deleteFeedback(filter: { workspaceId: string; agentId?: string }): Promise<number>;
  /** Deletes usage rows older than `olderThan` (ISO time); returns how many. */
  prune(olderThan: string): Promise<number>;
}

/** Which usage an economics query covers. */
export interface UsageTotalsFilter {
  /** Only these workspaces; undefined = all. */
  workspaceIds: readonly string[] | undefined;
  agentId?: string;
  /** From this UTC day (YYYY-MM-DD) on; undefined = all time. */
  sinceDay?: string;
}

export interface UsageFigures {
  calls: number;
  errors: number;
  tokensSent: number;
  tokensRaw: number;
  /** raw - sent of each call that measured a raw size, never below 0: what sending less saved. */
  tokensSaved: number;
  durationMs: number;
}

export interface UsageTotals {
  byAgent: (UsageFigures & { agentId: string; lastTs: string })[];
  byTool: (UsageFigures & { tool: string })[];
  byDay: (UsageFigures & { day: string })[];
}

export interface PathReadsFilter {
  workspaceIds: readonly string[] | undefined;
  sinceDay?: string;
  /** Directories (each the sum of the files under it) instead of files. */
  dirs?: boolean;
  /** Only paths below this workspace-relative directory. */
  under?: string;
  limit: number;
}

export interface PathReads {
  workspaceId: string;
  path: string;
  reads: number;
  tokensSent: number;
  tokensRaw: number;
  lastTs: string;
}

export interface CostReset {
  workspaceId: string;
  /** undefined: every agent of the workspace. */
  agentId: string | undefined;
  /** Token id of who reset it. */
  by: string;
  at: string;
}

export interface CostBaseline extends UsageFigures {
  workspaceId: string;
  agentId: string;
  tool: string;
  resetAt: string;
  resetBy: string;
}

export interface LlmFeedback {
  ts?: string;
  workspaceId: string;
  agentId: string;
  contextId: string | undefined;
  model: string | undefined;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number | undefined;
  intent: string | undefined;
  note: string | undefined;
}

export interface FeedbackFilter {
  workspaceIds: readonly string[] | undefined;
  agentId?: string;
  sinceTs?: string;
}

export interface FeedbackFigures {
  entries: number;
  inputTokens: number;
  outputTokens: number;
  /** Mean of the entries that reported a latency; 0 when none did. */
  avgLatencyMs: number;
}

export interface FeedbackSummary extends FeedbackFigures {
  byModel: (FeedbackFigures & { model: string })[];
  byIntent: (FeedbackFigures & { intent: string })[];
}

export interface StoreDependency {
  name: string;
  /** One round trip; throws (store_unavailable) when the service does not answer. */
  check(): Promise<void>;
}

export interface Store extends SharedSessionStores {
  readonly events: EventStore;
  readonly usage: UsageStore;
  readonly knowledge: KnowledgeStore;
  readonly budgets: BudgetStore;
  /** What each context read, by content hash (ctx_proof, ctx_verify). */
  readonly evidence: EvidenceStore;
  /** Archives behind `ctx_expand` ids shared by replicas (PostgreSQL); undefined: the workspace data dir. */
  readonly archives?: ArchiveStore;
  /** An external service the store stands on (PostgreSQL), checked by `/healthz`; none for SQLite. */
  readonly dependency?: StoreDependency;
  /**
   * Other replicas' events as the store itself announces them (PostgreSQL LISTEN/NOTIFY, sent
   * inside each event commit); undefined: the server uses Redis pub/sub when it has Redis.
   */
  listenForEvents?(logger: Logger): EventFanOut;
  close(): Promise<void>;
}
