import type { AuditLog } from '../audit/audit-log.ts';
import type { ReadStateSync } from '../engine/read/shared-read-state.ts';
import type { EventHub } from '../events/event-hub.ts';
import type { Gateway } from '../gateway/gateway.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics/metrics.ts';
import type { SharedRateLimiter } from '../ratelimit/shared-limiter.ts';
import type { DependencyChecks } from '../server/health.ts';
import type { AgentPresence } from '../sessions/agent-presence.ts';
import type { Store } from '../store/types.ts';
import type { ToolRegistry } from '../tools/registry.ts';
import type { Admission } from './admission.ts';
import type { TeamState } from './team-state.ts';

/** Everything the HTTP app and the MCP endpoint stand on; wired once in createTeamServer. */
export interface ServerDeps {
  state: TeamState;
  registry: ToolRegistry;
  store: Store;
  /** The team's downstream MCP servers (team.json `servers`), handed to tools; else undefined. */
  gateway: Gateway | undefined;
  hub: EventHub;
  audit: AuditLog;
  limiter: SharedRateLimiter;
  /** What each tool call asks of shared state first: its rate bucket, workflow generation, read state. */
  admission: Admission;
  /** This process among the replicas sharing one team.json (`--replica-id`). */
  replicaId: string;
  metrics: Metrics;
  logger: Logger;
  version: string;
  now: () => number;
  startedAt: number;
  /** SSE keep-alive comment interval. */
  keepAliveMs: number;
  /** Tool calls running now (the concurrency cap counts these). */
  inFlight: { count: number };
  /** Agents on each channel: `agent_joined` and `agent_left`. */
  presence: AgentPresence;
  /** Services the server stands on, checked by `/healthz` (PostgreSQL, Redis); none with SQLite. */
  dependencies?: DependencyChecks;
  /** With Redis: what each context was sent, shared between replicas; else undefined (in-process). */
  readState?: ReadStateSync | undefined;
}
