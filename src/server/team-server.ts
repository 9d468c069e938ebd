import { join } from 'node:path';
import { type AuditLog, createAuditLog } from '../audit/audit-log.ts';
import type { TeamConfig } from '../config/team-config.ts';
import { createEventHub } from '../events/event-hub.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createMcpEndpoint } from '../mcp/http-endpoint.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { createRateLimiter } from '../ratelimit/token-bucket.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/types.ts';
import { builtinTools } from '../tools/all-tools.ts';
import type { Tool } from '../tools/define-tool.ts';
import { createToolRegistry } from '../tools/registry.ts';
import { VERSION } from '../version.ts';
import { createApp } from './app.ts';
import type { ServerDeps } from './deps.ts';
import { type Listening, listen } from './listen.ts';
import { createTeamState } from './team-state.ts';

export interface TeamServerOptions {
  config: TeamConfig;
  tools?: readonly Tool[];
  store?: Store;
  logger?: Logger;
  now?: () => number;
  keepAliveMs?: number;
}

export interface TeamServer {
  readonly deps: ServerDeps;
  readonly app: ReturnType<typeof createApp>;
  /** Applies a new validated config: tokens, workspaces, limits, audit path. */
  reload(next: TeamConfig): Promise<void>;
  listen(host?: string, port?: number): Promise<Listening>;
  close(): Promise<void>;
}

/** The composition root: wires store, state, limiter, audit, events, metrics, app and MCP. */
export function createTeamServer(opts: TeamServerOptions): TeamServer {
  const config = opts.config;
  const now = opts.now ?? Date.now;
  const metrics = createMetrics();
  const store = opts.store ?? createSqliteStore(join(config.dataDir, 'leanctx.db'));
  let audit: AuditLog = createAuditLog(config.auditLogPath, config.auditMaxBytes);
  const deps: ServerDeps = {
    state: createTeamState(config),
    registry: createToolRegistry(opts.tools ?? builtinTools()),
    store,
    hub: createEventHub(store.events, () => metrics.eventsAppended.inc()),
    get audit() {
      return audit;
    },
    limiter: createRateLimiter(config.maxRps, config.rateBurst, now),
    metrics,
    logger: opts.logger ?? createLogger(),
    version: VERSION,
    now,
    startedAt: now(),
    keepAliveMs: opts.keepAliveMs ?? 15_000,
    inFlight: { count: 0 },
    seenAgents: new Set(),
  };
  const mcp = createMcpEndpoint(deps);
  const app = createApp(deps, mcp);
  const listeners: Listening[] = [];

  return {
    deps,
    app,
    async reload(next) {
      const prev = deps.state.config();
      await deps.state.apply(next);
      deps.limiter.configure(next.maxRps, next.rateBurst);
      if (next.auditLogPath !== prev.auditLogPath || next.auditMaxBytes !== prev.auditMaxBytes) {
        const old = audit;
        audit = createAuditLog(next.auditLogPath, next.auditMaxBytes);
        old.close();
      }
    },
    async listen(host = config.host, port = config.port) {
      const l = await listen(app, host, port);
      listeners.push(l);
      return l;
    },
    async close() {
      // Every step runs even if an earlier one throws.
      const steps: (() => Promise<unknown> | unknown)[] = [
        ...listeners.map((l) => () => l.close()),
        () => mcp.close(),
        () => deps.state.close(),
        () => store.close(),
        () => audit.close(),
      ];
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          deps.logger.error('shutdown step failed', { error: String(err) });
        }
      }
    },
  };
}
