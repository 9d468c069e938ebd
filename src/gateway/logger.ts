import type { LoggingConfig } from '../config/servers-config.ts';
import { createLogger, type LogFields, redact, redactKeySet } from '../logger.ts';

export type LogLevel = 'error' | 'info' | 'debug';

/** Structured logs; in lazy-mcp they go to stderr because stdout is the MCP channel. */
export interface GatewayLogger {
  readonly level: LogLevel;
  error(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** A request/response body at debug level when `dumpBodies` is on, truncated and redacted. */
  body(msg: string, body: unknown, fields?: LogFields): void;
}

/** The one logger (src/logger.ts) with the gateway's config: levels, format, redaction, bodies. */
export function createGatewayLogger(
  cfg: Pick<LoggingConfig, 'level' | 'format'> & Partial<LoggingConfig>,
  write?: (line: string) => void,
): GatewayLogger {
  const log = createLogger({ level: cfg.level, format: cfg.format, redactKeys: cfg.redactKeys, write });
  const keys = redactKeySet(cfg.redactKeys);
  const maxBody = cfg.maxBodyLogBytes ?? 8192;
  return {
    level: cfg.level,
    error: log.error,
    info: log.info,
    debug: log.debug,
    body(msg, body, fields) {
      if (!cfg.dumpBodies || cfg.level !== 'debug') return;
      let text = JSON.stringify(redact(body, keys)) ?? '';
      if (text.length > maxBody) text = `${text.slice(0, maxBody)}…(${text.length - maxBody} more bytes)`;
      log.debug(msg, { ...fields, body: text });
    },
  };
}

/** A logger that drops everything (tests, embedding). */
export function createSilentLogger(): GatewayLogger {
  const noop = () => {};
  return { level: 'error', error: noop, info: noop, debug: noop, body: noop };
}
