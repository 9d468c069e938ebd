import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { type AuditLog, createAuditLog } from '../audit/audit-log.ts';
import { countRefusals } from '../audit/count-refusals.ts';
import { replicaAuditPath } from '../audit/replica-audit.ts';
import { parseServersBlock } from '../config/servers-config.ts';
import { configDirOf, serversFileOf, type TeamConfig } from '../config/team-config.ts';
import { createRedisReadState } from '../engine/read/shared-read-state.ts';
import { warmEnginePool } from '../engine/workers/engine-pool.ts';
import { createEventHub } from '../events/event-hub.ts';
import { createRedisFanOut } from '../events/redis-fan-out.ts';
import { createGateway, type Gateway } from '../gateway/gateway.ts';
import { createGatewayLogger } from '../gateway/logger.ts';
import { budgetUsage } from '../governance/budget-status.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createEndedSessions } from '../mcp/ended-sessions.ts';
import { createMcpEndpoint } from '../mcp/http-endpoint.ts';
import { countSessionUse } from '../metrics/count-sessions.ts';
import { createMetrics } from '../metrics/metrics.ts';
import { createLocalAdmission, createRedisAdmission } from '../pipeline/admission.ts';
import type { ServerDeps } from '../pipeline/deps.ts';
import { createTeamState } from '../pipeline/team-state.ts';
import { createLocalLimiter, createRedisLimiter, reportFailOpen } from '../ratelimit/shared-limiter.ts';
import { createAgentPresence } from '../sessions/agent-presence.ts';
import { ARCHIVE_TTL_MS } from '../store/archives.ts';
import { openStore } from '../store/open-store.ts';
import { createRedisLink } from '../store/redis/redis-link.ts';
import { withWorkflowGenerations } from '../store/redis/workflow-generations.ts';
import { createSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/types.ts';
import { builtinTools } from '../tools/all-tools.ts';
import type { Tool } from '../tools/define-tool.ts';
import { gatewayTools } from '../tools/gateway/index.ts';
import { createToolRegistry } from '../tools/registry.ts';
import { VERSION } from '../version.ts';
import { createApp } from './app.ts';
import { type Listening, listen } from './listen.ts';

export interface TeamServerOptions {
  config: TeamConfig;
  tools?: readonly Tool[];
  store?: Store;
  logger?: Logger;
  now?: () => number;
  keepAliveMs?: number;
  /** This replica's name (`--replica-id`): the `replica` metric label and the audit file's suffix. */
  replicaId?: string;
}

export interface TeamServer {
  readonly deps: ServerDeps;
  readonly app: ReturnType<typeof createApp>;
  /** Applies a new validated config: tokens, workspaces, limits, audit path, servers. */
  reload(next: TeamConfig): Promise<void>;
  listen(host?: string, port?: number): Promise<Listening>;
  /** The servers.json a `servers` path names (absolute), to watch it too; else undefined. */
  serversFile(): string | undefined;
  close(): Promise<void>;
}

/** How often events past eventRetentionDays / maxEventsPerChannel are removed (and once at start). */
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * The team's downstream MCP servers, when team.json has a `servers` block (inline or a path
 * to a servers.json): shared under the `gateway` scope, listed directly to such tokens.
 */
function createTeamGateway(config: TeamConfig): { gateway: Gateway; tools: Tool[] } | undefined {
  if (config.servers === undefined) return undefined;
  const servers = parseServersBlock(config.servers, configDirOf(config));
  const gateway = createGateway(servers, createGatewayLogger({ ...servers.logging, format: 'json' }));
  return { gateway, tools: gatewayTools.map((t) => Object.freeze({ ...t, core: true })) };
}

/**
 * Opens the store team.json names (SQLite by default, PostgreSQL when configured: migrated
 * first), then wires the server on it.
 */
export async function openTeamServer(opts: TeamServerOptions): Promise<TeamServer> {
  if (opts.store) return createTeamServer(opts);
  const store = await openStore(opts.config);
  try {
    return createTeamServer({ ...opts, store });
  } catch (err) {
    await store.close();
    throw err;
  }
}

/** This replica's audit file (see replica-audit.ts), its directory made on first use. */
function auditPath(path: string | undefined, replicaId: string | undefined): string | undefined {
  const file = replicaAuditPath(path, replicaId);
  if (file !== undefined && file !== path) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  return file;
}

/** The composition root: wires store, state, limiter, audit, events, metrics, app and MCP. */
export function createTeamServer(opts: TeamServerOptions): TeamServer {
  const config = opts.config;
  const team = createTeamGateway(config);
  const now = opts.now ?? Date.now;
  const replicaId = opts.replicaId ?? `${hostname()}-${process.pid}`;
  // A single process (no --replica-id, no redis) keeps its series as they were.
  const metrics = createMetrics(
    () => budgetUsage(store.budgets, deps.state.config().governance, now()),
    now,
    opts.replicaId !== undefined || config.redis ? replicaId : undefined,
  );
  if (!opts.store && config.store.kind !== 'sqlite') {
    throw new Error(
      `a ${config.store.kind} store opens asynchronously: start the server with openTeamServer()`,
    );
  }
  const logger = opts.logger ?? createLogger();
  const redis = config.redis ? createRedisLink(config.redis, logger) : undefined;
  const countedStore = countSessionUse(
    opts.store ?? createSqliteStore(join(config.dataDir, 'leanctx.db')),
    metrics.context,
  );
  let bumpLogged = 0;
  // With Redis, replicas cache workflow gates under a generation each write bumps.
  const store = redis
    ? withWorkflowGenerations(countedStore, redis, (err) => {
        if (Date.now() - bumpLogged < 10_000) return;
        bumpLogged = Date.now();
        logger.warn('workflow generation not bumped (Redis unavailable); retried every second', {
          error: String(err),
        });
      })
    : countedStore;
  const auditFailed = (err: unknown) => deps.logger.error('audit write failed', { error: String(err) });
  // Refusals are counted where their audit line is written (the observatory's error rates).
  const counted = (log: AuditLog): AuditLog => countRefusals(log, metrics.refusals);
  let audit: AuditLog = counted(
    createAuditLog(auditPath(config.auditLogPath, opts.replicaId), config.auditMaxBytes, auditFailed),
  );
  const hub = createEventHub(
    store.events,
    (e) => {
      metrics.eventsAppended.inc();
      metrics.context.eventAppended(e.workspaceId);
    },
    () => metrics.context.eventBroadcast(),
    // its own origin id: two replicas given the same --replica-id must still hear each other
    // PostgreSQL announces events in their commit (in revision order); else Redis, when there is one
    store.listenForEvents?.(logger) ?? (redis && createRedisFanOut(redis, randomUUID(), logger)),
  );
  let readStateLogged = 0;
  const failedOpen = reportFailOpen(logger, () => metrics.rateLimitFailOpen.inc());
  const limiter = redis
    ? createRedisLimiter(redis, config.maxRps, config.rateBurst, failedOpen)
    : createLocalLimiter(config.maxRps, config.rateBurst, now);
  const deps: ServerDeps = {
    state: createTeamState(config),
    registry: createToolRegistry([...(opts.tools ?? builtinTools()), ...(team?.tools ?? [])]),
    store,
    gateway: team?.gateway,
    hub,
    get audit() {
      return audit;
    },
    limiter,
    admission: redis
      ? createRedisAdmission(redis, () => deps.state.config(), failedOpen)
      : createLocalAdmission(limiter),
    replicaId,
    readState:
      redis &&
      createRedisReadState(redis, (err) => {
        if (Date.now() - readStateLogged < 10_000) return;
        readStateLogged = Date.now();
        logger.warn('read state not shared (Redis unavailable): contexts get full content until it is back', {
          error: String(err),
        });
      }),
    metrics,
    logger,
    version: VERSION,
    now,
    startedAt: now(),
    keepAliveMs: opts.keepAliveMs ?? 15_000,
    inFlight: { count: 0 },
    presence: createAgentPresence({ store, publish: (e) => hub.publish(e), now, logger }),
    dependencies: {
      ...(store.dependency ? { [store.dependency.name]: store.dependency.check } : {}),
      // Redis down degrades (rate limits fail open, stubs stop) but /healthz names it
      ...(redis
        ? {
            redis: async () => {
              await redis.run('health check', (c) => c.ping());
            },
          }
        : {}),
    },
  };
  let endedLogged = 0;
  const ended = createEndedSessions(redis, now, (err) => {
    if (Date.now() - endedLogged < 10_000) return;
    endedLogged = Date.now();
    logger.warn(
      'ended MCP sessions not checked (Redis unavailable): only ends seen by this replica are refused',
      {
        error: String(err),
      },
    );
  });
  const mcp = createMcpEndpoint(deps, { ended });
  const app = createApp(deps, mcp);
  const listeners: Listening[] = [];
  const pruneEvents = async () => {
    const cfg = deps.state.config();
    try {
      const deleted = await store.events.prune({
        olderThan: new Date(now() - cfg.eventRetentionDays * 86_400_000).toISOString(),
        keepPerChannel: cfg.maxEventsPerChannel,
      });
      if (deleted > 0) deps.logger.info('old events removed', { deleted });
    } catch (err) {
      deps.logger.error('event retention failed', { error: String(err) });
    }
    try {
      const deleted = await store.archives?.prune(new Date(now() - ARCHIVE_TTL_MS).toISOString());
      if (deleted) deps.logger.info('expired ctx_expand archives removed', { deleted });
    } catch (err) {
      deps.logger.error('archive retention failed', { error: String(err) });
    }
    if (cfg.usageRetentionDays === undefined) return;
    try {
      const deleted = await store.usage.prune(
        new Date(now() - cfg.usageRetentionDays * 86_400_000).toISOString(),
      );
      if (deleted > 0) deps.logger.info('old usage rows removed', { deleted });
    } catch (err) {
      deps.logger.error('usage retention failed', { error: String(err) });
    }
  };
  void pruneEvents();
  const pruneTimer = setInterval(() => void pruneEvents(), PRUNE_EVERY_MS);
  pruneTimer.unref();

  return {
    deps,
    app,
    async reload(next) {
      const prev = deps.state.config();
      // Parse first: an invalid servers block refuses the whole reload. A `servers` path is
      // re-read every time, since its file may have changed while the path did not.
      const nextServers =
        next.servers !== undefined ? parseServersBlock(next.servers, configDirOf(next)) : undefined;
      await deps.state.apply(next);
      deps.limiter.configure(next.maxRps, next.rateBurst);
      for (const l of listeners) l.setRequestReadTimeout(next.requestReadTimeoutMs);
      if (team && nextServers) {
        // The gateway keeps unchanged servers running and reconnects only what changed.
        const report = await team.gateway.reload(nextServers);
        if (!report.ok) deps.logger.error('gateway servers not reloaded', { error: report.error });
      } else if (next.servers !== undefined || prev.servers !== undefined) {
        if (!isDeepStrictEqual(next.servers, prev.servers)) {
          deps.logger.warn('the servers block was added or removed; restart the server to apply it');
        }
      }
      if (!isDeepStrictEqual(next.store, prev.store)) {
        deps.logger.warn('the store block changed; restart the server to apply it');
      }
      if (!isDeepStrictEqual(next.redis, prev.redis)) {
        deps.logger.warn('the redis block changed; restart the server to apply it');
      }
      if (next.auditLogPath !== prev.auditLogPath || next.auditMaxBytes !== prev.auditMaxBytes) {
        const old = audit;
        audit = counted(
          createAuditLog(auditPath(next.auditLogPath, opts.replicaId), next.auditMaxBytes, auditFailed),
        );
        old.close();
      }
    },
    serversFile: () => serversFileOf(deps.state.config()),
    async listen(host = config.host, port = config.port) {
      const l = await listen(app, host, port, {
        logger: deps.logger,
        requestReadTimeoutMs: deps.state.config().requestReadTimeoutMs,
      });
      listeners.push(l);
      // worker threads load the parsers and the tokenizer now, not on the first large request
      warmEnginePool().catch((err: unknown) =>
        deps.logger.warn('the engine workers did not warm up', { error: String(err) }),
      );
      return l;
    },
    async close() {
      // Every step runs even if an earlier one throws.
      clearInterval(pruneTimer);
      const steps: (() => Promise<unknown> | unknown)[] = [
        ...listeners.map((l) => () => l.close()),
        () => mcp.close(),
        () => deps.presence.close(),
        // Calls that just answered still record their usage and events.
        () => new Promise((resolve) => setImmediate(resolve)),
        () => deps.hub.drain(),
        () => team?.gateway.close(),
        () => deps.state.close(),
        () => store.close(),
        () => redis?.close(),
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
