import { pino } from 'pino';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  debug(msg: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** `plain` (default): `<time> LEVEL msg key=value …`; `json`: one pino JSON object a line. */
  format?: 'json' | 'plain';
  /** More field names to redact, plain (`apiKey`) or dotted (`headers.x-api-key`). */
  redactKeys?: readonly string[];
  /** Where lines go (tests); default stderr, since stdout may be an MCP channel. */
  write?: (line: string) => void;
}

/** Field names whose values never reach a log, at any depth, in any letter case. */
const BUILTIN_REDACT_KEYS = [
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

/** The lower-cased set of names to redact: the built-in ones plus `extra`. */
export function redactKeySet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...BUILTIN_REDACT_KEYS, ...extra].map((k) => k.toLowerCase()));
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

/**
 * pino's redact paths for the same names, top level and one level down (its own fast path).
 * A name pino's path syntax cannot hold is left to the deep pass.
 */
function pinoPaths(names: readonly string[]): string[] {
  const quoted = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : `["${k}"]`);
  const join = (parent: string, k: string) => (k.startsWith('[') ? `${parent}${k}` : `${parent}.${k}`);
  const safe = names.filter((k) => /^[\w$-]+(\.[\w$-]+)*$/.test(k));
  return [...new Set(safe)].flatMap((key) => {
    const parts = key.split('.');
    if (parts.length === 1) return [quoted(key), join('*', quoted(key))];
    return [parts.map(quoted).reduce(join)];
  });
}

/** `2026-01-02T03:04:05.678Z WARN msg key=value …` from one pino JSON line. */
function toPlain(line: string): string {
  const { level, time, msg, ...fields } = JSON.parse(line) as Record<string, unknown>;
  const extra = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(time)} ${String(level).toUpperCase()} ${String(msg)}${extra ? ` ${extra}` : ''}\n`;
}

/**
 * The one logger (pino): structured lines to stderr, secrets redacted twice over — pino's
 * `redact` paths and a deep, case-insensitive pass over every field.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const keys = redactKeySet(opts.redactKeys);
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const plain = opts.format !== 'json';
  const log = pino(
    {
      level: opts.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redact(fields, keys) as Record<string, unknown>,
      },
      redact: { paths: pinoPaths([...BUILTIN_REDACT_KEYS, ...(opts.redactKeys ?? [])]), censor: REDACTED },
    },
    { write: (line: string) => write(plain ? toPlain(line) : line) },
  );
  const at =
    (level: LogLevel) =>
    (msg: string, fields?: LogFields): void => {
      if (fields) log[level](fields, msg);
      else log[level](msg);
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
