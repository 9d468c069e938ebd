import type { LoggingConfig } from '../config/servers-config.ts';

export type LogLevel = 'error' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

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

/** Secret values shorter than this are not masked in text (they would mask ordinary words). */
const MIN_SECRET_LENGTH = 6;

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
  // JSON-escaped too: a secret with a quote or backslash appears escaped in the dump.
  const secrets = [...new Set(cfg.secretValues ?? [])]
    .filter((s) => s.length >= MIN_SECRET_LENGTH)
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  const line = (level: LogLevel, msg: string, fields: LogFields) => {
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
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    if (RANK[level] <= RANK[cfg.level]) line(level, msg, fields);
  };
  const dumpBodies = cfg.dumpBodies === true;
  return {
    level: cfg.level,
    dumpBodies,
    error: (msg, fields) => emit('error', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    debug: (msg, fields) => emit('debug', msg, fields),
    body(msg, body, fields = {}) {
      if (!dumpBodies) return;
      const text = maskValues(JSON.stringify(redact(body, keys)) ?? '', secrets);
      line('debug', msg, { ...fields, body: cutBytes(text, maxBody) });
    },
  };
}

/** A logger that drops everything (tests, embedding). */
export function createSilentLogger(): GatewayLogger {
  const noop = () => {};
  return { level: 'error', dumpBodies: false, error: noop, info: noop, debug: noop, body: noop };
}
