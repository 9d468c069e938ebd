import {
  type CallToolResult,
  type LoggingLevel,
  LoggingLevelSchema,
  type Progress,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig, ServersConfig } from '../config/servers-config.ts';
import { matchesAny } from './glob.ts';
import { createHealthMonitor, type HealthMonitor } from './health.ts';
import type { GatewayLogger } from './logger.ts';
import { describeCommands, invokeCommand, listCommands, listServers } from './meta-operations.ts';
import type {
  DescribeCommandsArgs,
  InvokeCommandArgs,
  ListCommandsArgs,
  ListServersArgs,
} from './meta-schemas.ts';
import { OAuthManager } from './oauth/oauth-manager.ts';
import { Upstream } from './upstream.ts';

/** Who is calling: which servers they may see, and the call's signal and progress sink. */
export interface Access {
  /** Globs over server names; undefined = every server. */
  servers?: readonly string[];
  /** Whether list_servers shows the gateway's pid and config file (default true). */
  showProcess?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface ReloadReport {
  ok: boolean;
  error?: string;
  added: string[];
  removed: string[];
  changed: string[];
  unchanged: string[];
}

export interface GatewayOptions {
  /** Re-reads the configuration for `reload()` without an argument (lazy-mcp: servers.json). */
  loadConfig?: () => ServersConfig;
  /** Shown in list_servers and in policy messages (kill -HUP <pid>). */
  pid?: number;
}

export interface Gateway {
  readonly config: ServersConfig;
  readonly pid: number;
  /** The servers this caller may use, in configuration order. */
  visible(access: Access): Upstream[];
  upstream(name: string): Upstream | undefined;
  listServers(args: ListServersArgs, access: Access): Promise<CallToolResult>;
  listCommands(args: ListCommandsArgs, access: Access): Promise<CallToolResult>;
  describeCommands(args: DescribeCommandsArgs, access: Access): Promise<CallToolResult>;
  invokeCommand(args: InvokeCommandArgs, access: Access): Promise<CallToolResult>;
  /** Commands a client asked to see as direct tools (`promote`). */
  promoted(): ReadonlyArray<{ server: string; command: string }>;
  promote(server: string, commands: readonly string[]): void;
  /** Swaps in a new configuration with the seed's reload semantics; an invalid one is refused. */
  reload(next?: ServersConfig): Promise<ReloadReport>;
  /** Runs when the set of tools a client could list may have changed. */
  onToolsChanged(listener: () => void): () => void;
  /** Resource, prompt and logging notifications from any downstream server. */
  onNotification(listener: (server: string, notification: ServerNotification) => void): () => void;
  /**
   * Records one client's log level (undefined: the client left). Downstream servers are shared,
   * so they get the most verbose level any client asked for; each client filters its own.
   */
  setClientLogLevel(client: object, level: LoggingLevel | undefined): Promise<void>;
  /** Records activity (wakes the health monitor). */
  touch(): void;
  close(): Promise<void>;
}

/** Builds the gateway over a validated configuration; nothing starts until first use. */
export function createGateway(
  initial: ServersConfig,
  logger: GatewayLogger,
  opts: GatewayOptions = {},
): Gateway {
  let config = initial;
  const upstreams = new Map<string, Upstream>();
  const listeners = new Set<() => void>();
  const promotedSet = new Map<string, { server: string; command: string }>();
  const notificationListeners = new Set<(server: string, notification: ServerNotification) => void>();
  const clientLevels = new Map<object, LoggingLevel>();
  let downstreamLevel: LoggingLevel | undefined;
  const oauth = new OAuthManager(initial.stateDir, logger);
  const notify = () => {
    for (const listener of listeners) {
      try {
        listener();
      } catch (err) {
        logger.error('tools-changed listener failed', { error: (err as Error).message });
      }
    }
  };
  const relay = (server: string, notification: ServerNotification) => {
    for (const listener of notificationListeners) {
      try {
        listener(server, notification);
      } catch (err) {
        logger.error('notification listener failed', { error: (err as Error).message });
      }
    }
  };
  const makeUpstream = (server: ServerConfig) => {
    const upstream = new Upstream(server, {
      logger,
      baseEnv: config.baseEnv,
      auth: oauth,
      onToolsChanged: notify,
      onNotification: relay,
    });
    void upstream.setLogLevel(downstreamLevel).catch(() => {});
    return upstream;
  };
  for (const server of initial.servers) upstreams.set(server.name, makeUpstream(server));
  for (const warning of initial.warnings) logger.error(warning);

  const monitor: HealthMonitor = createHealthMonitor(
    initial.healthMonitor,
    async (timeoutMs) => {
      await Promise.all([...upstreams.values()].map((u) => u.probe(timeoutMs)));
    },
    logger,
  );

  const gateway: Gateway = {
    get config() {
      return config;
    },
    pid: opts.pid ?? process.pid,
    visible: (access) => [...upstreams.values()].filter((u) => matchesAny(access.servers, u.name)),
    upstream: (name) => upstreams.get(name),
    listServers: (args, access) => listServers(gateway, args, access),
    listCommands: (args, access) => listCommands(gateway, args, access),
    describeCommands: (args, access) => describeCommands(gateway, args, access),
    invokeCommand: (args, access) => invokeCommand(gateway, args, access),
    promoted: () => [...promotedSet.values()],
    promote(server, commands) {
      let added = false;
      for (const command of commands) {
        const key = `${server}\0${command}`;
        if (!promotedSet.has(key)) {
          promotedSet.set(key, { server, command });
          added = true;
        }
      }
      if (added) notify();
    },
    async reload(next) {
      const report: ReloadReport = { ok: false, added: [], removed: [], changed: [], unchanged: [] };
      let fresh = next;
      try {
        fresh ??= opts.loadConfig?.();
      } catch (err) {
        report.error = `the new configuration was refused and the old one keeps running: ${(err as Error).message}`;
        logger.error('reload refused', { error: report.error });
        return report;
      }
      if (!fresh) {
        report.error = 'this gateway has no configuration file to reload';
        return report;
      }
      const closing: Promise<void>[] = [];
      const wanted = new Set(fresh.servers.map((s) => s.name));
      for (const [name, upstream] of upstreams) {
        if (!wanted.has(name)) {
          upstreams.delete(name);
          closing.push(upstream.close());
          report.removed.push(name);
        }
      }
      config = fresh;
      const rebuilt = new Map<string, Upstream>();
      for (const server of fresh.servers) {
        const current = upstreams.get(server.name);
        if (!current) {
          rebuilt.set(server.name, makeUpstream(server));
          report.added.push(server.name);
        } else if (
          current.config.fingerprint === server.fingerprint &&
          current.config.enabled === server.enabled &&
          current.config.configError === server.configError
        ) {
          current.updateConfig(server);
          rebuilt.set(server.name, current);
          report.unchanged.push(server.name);
        } else {
          closing.push(current.close());
          rebuilt.set(server.name, makeUpstream(server));
          report.changed.push(server.name);
        }
      }
      upstreams.clear();
      for (const [name, upstream] of rebuilt) upstreams.set(name, upstream);
      for (const key of [...promotedSet.keys()]) {
        if (!wanted.has(promotedSet.get(key)?.server ?? '')) promotedSet.delete(key);
      }
      await Promise.all(closing);
      for (const warning of fresh.warnings) logger.error(warning);
      monitor.restart(fresh.healthMonitor);
      report.ok = true;
      logger.info('configuration reloaded', { ...report });
      notify();
      return report;
    },
    onToolsChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onNotification(listener) {
      notificationListeners.add(listener);
      return () => notificationListeners.delete(listener);
    },
    async setClientLogLevel(client, level) {
      if (level) clientLevels.set(client, level);
      else clientLevels.delete(client);
      const order = LoggingLevelSchema.options;
      const levels = [...clientLevels.values()].map((l) => order.indexOf(l));
      const next = levels.length > 0 ? order[Math.min(...levels)] : undefined;
      if (next === downstreamLevel || next === undefined) return;
      downstreamLevel = next;
      await Promise.all(
        [...upstreams.values()].map((u) =>
          u
            .setLogLevel(next)
            .catch((err: Error) =>
              logger.error('could not set a downstream log level', { server: u.name, error: err.message }),
            ),
        ),
      );
    },
    touch: () => monitor.touch(),
    async close() {
      monitor.close();
      oauth.close();
      const all = [...upstreams.values()];
      upstreams.clear();
      listeners.clear();
      notificationListeners.clear();
      await Promise.all(all.map((u) => u.close().catch(() => {})));
    },
  };
  return gateway;
}
