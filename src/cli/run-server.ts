import { ConfigError, loadTeamConfig, type TeamConfig } from '../config/team-config.ts';
import { watchFile } from '../config/watch-file.ts';
import { warmTokenizer } from '../engine/o200k.ts';
import { AppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import type { Listening } from '../server/listen.ts';
import { openTeamServer, type TeamServer } from '../server/team-server.ts';
import { CliError, type CliIo } from './cli-error.ts';

export interface RunningServer {
  server: TeamServer;
  listening: Listening;
  /** Re-reads the config file; an invalid file is refused and the running config stays. */
  reload(): Promise<boolean>;
  stop(): Promise<void>;
}

export function banner(
  cfg: TeamConfig,
  listening: Listening,
  toolCount: number,
  activeTokens: number,
): string {
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  return [
    `Team Server - ${host}:${listening.port}`,
    `Workspaces: ${cfg.workspaces.length} (${cfg.workspaces.map((w) => w.id).join(', ')})`,
    `Tokens: ${activeTokens} active`,
    `Tools: ${toolCount} available`,
  ].join('\n');
}

/**
 * Loads team.json, serves it, reloads on file change and SIGHUP, and shuts down cleanly on
 * SIGINT/SIGTERM. Resolves once listening.
 */
export async function runServer(
  configPath: string,
  io: CliIo,
  opts: {
    host?: string | undefined;
    port?: number | undefined;
    profile?: string;
    replicaId?: string | undefined;
  } = {},
): Promise<RunningServer> {
  let config: TeamConfig;
  const override = { profile: opts.profile };
  try {
    config = loadTeamConfig(configPath, override);
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const logger = createLogger();
  if (!config.auditLogPath) {
    logger.warn('auditLogPath is not set: tool calls are not audited; set it in team.json');
  }
  for (const notice of config.notices) logger.warn(`team.json: ${notice}`);
  let server: TeamServer;
  try {
    server = await openTeamServer({ config, logger, replicaId: opts.replicaId });
  } catch (err) {
    // PostgreSQL down at start: say where and how to mend it, not a stack trace
    if (err instanceof AppError) throw new CliError(`cannot open the store: ${err.message}`);
    throw err;
  }
  const host = opts.host ?? config.host;
  let listening: Listening;
  try {
    listening = await server.listen(host, opts.port ?? config.port);
  } catch (err) {
    await server.close();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new CliError(
        `port ${opts.port ?? config.port} on ${host} is in use; set another "port" in team.json or --bind`,
      );
    }
    if (code === 'EACCES')
      throw new CliError(`not allowed to bind ${host}:${opts.port ?? config.port}; use a port ≥ 1024`);
    throw err;
  }
  if (config.tokens.every((t) => t.revokedAt)) {
    logger.warn('no active tokens: every request will get 401; create one with `lean-ctx team token create`');
  }
  const reload = async (): Promise<boolean> => {
    try {
      const next = loadTeamConfig(configPath, override);
      await server.reload(next);
      watchProfile();
      logger.info('config reloaded', {
        workspaces: next.workspaces.length,
        activeTokens: server.deps.state.activeTokenCount(),
      });
      return true;
    } catch (err) {
      logger.error('config reload refused; the running config stays', { error: (err as Error).message });
      return false;
    }
  };
  const onWatchError = (err: unknown) =>
    logger.warn('watching a config file failed; SIGHUP still reloads', { error: String(err) });
  const watcher = watchFile(config.path ?? configPath, () => void reload(), { onError: onWatchError });
  const serversFile = server.serversFile();
  const serversWatcher = serversFile
    ? watchFile(serversFile, () => void reload(), { onError: onWatchError })
    : undefined;
  // The team profile's TOML file reloads like team.json; a reload may point at another file.
  let profile: { file: string | undefined; watcher: { close(): void } | undefined } = {
    file: undefined,
    watcher: undefined,
  };
  function watchProfile(): void {
    const file = server.deps.state.config().governance.file;
    if (file === profile.file) return;
    profile.watcher?.close();
    profile = {
      file,
      watcher: file ? watchFile(file, () => void reload(), { onError: onWatchError }) : undefined,
    };
  }
  watchProfile();
  const onHup = () => void reload();
  process.on('SIGHUP', onHup);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      watcher.close();
      serversWatcher?.close();
      profile.watcher?.close();
      process.off('SIGHUP', onHup);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await server.close();
    })();
    return stopping;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // The banner says "ready": a supervisor may signal as soon as it reads it, so it comes after
  // the signal handlers (a SIGTERM before them would kill the process without a clean stop).
  io.out(
    `${banner({ ...config, host }, listening, server.deps.registry.size, server.deps.state.activeTokenCount())}\n`,
  );
  warmTokenizer();
  return { server, listening, reload, stop };
}
