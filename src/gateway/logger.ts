import type { LoggingConfig } from '../config/servers-config.ts';
import { createLogger, type LogFields, redact, redactKeySet } from '../logger.ts';

export type LogLevel = 'error' | 'info' | 'debug';
export type { LogFields };

/** Structured logs; in lazy-mcp they go to stderr because stdout is the MCP channel. */
export interface GatewayLogger {
  readonly level: LogLevel;
  /** Whether `body` writes anything (`logging.dumpBodies`). */
  readonly dumpBodies: boolean;
  error(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /**
   * A JSON-RPC message when `dumpBodies` is on, whatever the level: secret-named keys and
   * known secret values redacted, then cut at `maxBodyLogBytes`.
   */
  body(msg: string, body: unknown, fields?: LogFields): void;
}

/** Secret values shorter than this are not masked in text (they would mask ordinary words). */
const MIN_SECRET_LENGTH = 6;
const REDACTED = '[REDACTED]';

/** `text` with every occurrence of a known secret value replaced. */
function maskValues(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/** `text` cut to at most `max` UTF-8 bytes, saying how much was left out. */
function cutBytes(text: string, max: number): string {
  const bytes = Buffer.from(text);
  if (bytes.length <= max) return text;
  return `${bytes.subarray(0, max).toString('utf8')}…(${bytes.length - max} more bytes)`;
}

/** The one logger (src/logger.ts) with the gateway's config: levels, format, redaction, bodies. */
export function createGatewayLogger(
  cfg: Pick<LoggingConfig, 'level' | 'format'> & Partial<LoggingConfig>,
  write?: (line: string) => void,
): GatewayLogger {
  const log = createLogger({ level: cfg.level, format: cfg.format, redactKeys: cfg.redactKeys, write });
  const dumpBodies = cfg.dumpBodies === true;
  // bodies are written whatever the level: a second sink at debug, used only when asked for
  const bodyLog = dumpBodies
    ? createLogger({ level: 'debug', format: cfg.format, redactKeys: cfg.redactKeys, write })
    : undefined;
  const keys = redactKeySet(cfg.redactKeys);
  const maxBody = cfg.maxBodyLogBytes ?? 8192;
  // JSON-escaped too: a secret with a quote or backslash appears escaped in the dump.
  const secrets = [...new Set(cfg.secretValues ?? [])]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  return {
    level: cfg.level,
    dumpBodies,
    error: log.error,
    info: log.info,
    debug: log.debug,
    body(msg, body, fields = {}) {
      if (!bodyLog) return;
      const text = maskValues(JSON.stringify(redact(body, keys)) ?? '', secrets);
      bodyLog.debug(msg, { ...fields, body: cutBytes(text, maxBody) });
    },
  };
}

/** A logger that drops everything (tests, embedding). */
export function createSilentLogger(): GatewayLogger {
  const noop = () => {};
  return { level: 'error', dumpBodies: false, error: noop, info: noop, debug: noop, body: noop };
}
