import type { LoggingConfig } from '../config/servers-config.ts';

export type LogLevel = 'error' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

/** Structured logs; in lazy-mcp they go to stderr because stdout is the MCP channel. */
export interface GatewayLogger {
  readonly level: LogLevel;
  error(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
  /** A request/response body at debug level when `dumpBodies` is on, truncated and redacted. */
  body(msg: string, body: unknown, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { error: 0, info: 1, debug: 2 };

export const BUILTIN_REDACT_KEYS = [
  'authorization',
  'token',
  'access_token',
  'refresh_token',
  'client_secret',
  'headers.authorization',
  'authToken',
  'password',
  'cookie',
] as const;

const REDACTED = '[REDACTED]';

/** A deep copy with secret-named keys (plain `key` or dotted `parent.key`) replaced. */
export function redact(value: unknown, keys: ReadonlySet<string>, parent = '', depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, keys, parent, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const lower = key.toLowerCase();
    const dotted = parent ? `${parent}.${lower}` : lower;
    out[key] = keys.has(lower) || keys.has(dotted) ? REDACTED : redact(v, keys, lower, depth + 1);
  }
  return out;
}

export function createGatewayLogger(
  cfg: Pick<LoggingConfig, 'level' | 'format'> & Partial<LoggingConfig>,
  write: (line: string) => void = (line) => process.stderr.write(line),
): GatewayLogger {
  const keys = new Set([...BUILTIN_REDACT_KEYS, ...(cfg.redactKeys ?? [])].map((k) => k.toLowerCase()));
  const maxBody = cfg.maxBodyLogBytes ?? 8192;
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] > RANK[cfg.level]) return;
    const clean = redact(fields, keys) as LogFields;
    if (cfg.format === 'plain') {
      const extra = Object.entries(clean)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      write(`${new Date().toISOString()} ${level.toUpperCase()} ${msg}${extra ? ` ${extra}` : ''}\n`);
    } else {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...clean })}\n`);
    }
  };
  return {
    level: cfg.level,
    error: (msg, fields) => emit('error', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    debug: (msg, fields) => emit('debug', msg, fields),
    body(msg, body, fields) {
      if (!cfg.dumpBodies || RANK[cfg.level] < RANK.debug) return;
      let text = JSON.stringify(redact(body, keys)) ?? '';
      if (text.length > maxBody) text = `${text.slice(0, maxBody)}…(${text.length - maxBody} more bytes)`;
      emit('debug', msg, { ...fields, body: text });
    },
  };
}

/** A logger that drops everything (tests, embedding). */
export function createSilentLogger(): GatewayLogger {
  const noop = () => {};
  return { level: 'error', error: noop, info: noop, debug: noop, body: noop };
}
