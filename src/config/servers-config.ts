import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { type GatewayMode, MODES } from './gateway-mode.ts';
import {
  type Env,
  expandRecord,
  expandValue,
  SecretFileError,
  UnsetVariableError,
} from './servers-expand.ts';
import { ConfigError, readJsonFile } from './team-config.ts';

export type { Env };
export { ConfigError, type GatewayMode, MODES };

const action = z.enum(['allow', 'deny'], { error: 'use "allow" or "deny" ("ask" is not supported yet)' });
const ruleSchema = z.strictObject({
  pattern: z.string().min(1, 'give a glob over command names, e.g. "delete_*"'),
  action,
  message: z.string().optional(),
});
const serverPermissionsSchema = z.strictObject({
  default: action.optional(),
  rules: z.array(ruleSchema).default([]),
});
const globalPermissionsSchema = z.strictObject({
  default: action.optional(),
  rules: z.array(ruleSchema.extend({ server: z.string().min(1).default('*') })).default([]),
});
export type PermissionRule = z.output<typeof ruleSchema>;
export type ServerPermissions = z.output<typeof serverPermissionsSchema>;
export type GlobalPermissions = z.output<typeof globalPermissionsSchema>;

const stringRecord = z.record(z.string(), z.string());
const ms = z.number().int().min(0);

const serverSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1-64 letters, digits, ".", "_" or "-"'),
  description: z.string({ error: 'give a one-line description (list_servers shows it)' }),
  type: z.enum(['local', 'remote']).optional(),
  command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
  args: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  url: z.url({ error: 'must be an http(s) URL' }).optional(),
  headers: stringRecord.optional(),
  oauth: z
    .strictObject({
      clientId: z.string().optional(),
      clientSecret: z.string().optional(),
      callbackPort: z.number().int().min(1).max(65535).default(8947),
      extraHeaders: stringRecord.optional(),
      scope: z.string().optional(),
    })
    .optional(),
  env: stringRecord.optional(),
  enabled: z.boolean().default(true),
  examples: z.array(z.unknown()).default([]),
  tags: z.array(z.string()).default([]),
  permissions: z.unknown().optional(),
  requestTimeout: ms.positive().optional(),
  idleTimeout: ms.optional(),
  /** Bound on start-up (spawn + initialize); defaults to the request timeout. */
  timeout: ms.positive().optional(),
});

const serversFileSchema = z.strictObject({
  $schema: z.string().optional(),
  servers: z.array(z.unknown(), { error: 'servers is required: a list of server objects' }),
  permissions: z.unknown().optional(),
  transport: z
    .strictObject({
      type: z.enum(['stdio', 'http']).optional(),
      port: z.number().int().min(0).max(65535).optional(),
      host: z.string().min(1).optional(),
      path: z.string().startsWith('/').optional(),
      authToken: z.string().optional(),
      allowedOrigins: z.array(z.string()).optional(),
      allowedHosts: z.array(z.string()).optional(),
      maxPayloadSize: z.number().int().positive().optional(),
    })
    .default({}),
  logging: z
    .strictObject({
      level: z.enum(['error', 'info', 'debug']).optional(),
      format: z.enum(['json', 'plain']).optional(),
      dumpBodies: z.boolean().default(false),
      maxBodyLogBytes: z.number().int().positive().default(8192),
      redactKeys: z.array(z.string()).default([]),
    })
    .default({ dumpBodies: false, maxBodyLogBytes: 8192, redactKeys: [] }),
  healthMonitor: z
    .strictObject({
      enabled: z.boolean().default(true),
      interval: ms.positive().default(30_000),
      timeout: ms.positive().default(10_000),
      idleTimeout: ms.default(300_000),
    })
    .default({ enabled: true, interval: 30_000, timeout: 10_000, idleTimeout: 300_000 }),
  embedServerSummaries: z
    .strictObject({
      enabled: z.boolean().default(false),
      maxServers: z.number().int().positive().default(10),
    })
    .default({ enabled: false, maxServers: 10 }),
  requestTimeout: ms.positive().optional(),
  mode: z.enum(MODES).optional(),
  directToolLimit: z.number().int().min(0).default(30),
});

/** One downstream server, expanded and defaulted. */
export interface ServerConfig {
  readonly name: string;
  readonly description: string;
  readonly type: 'local' | 'remote';
  /** Program and arguments (local). */
  readonly command: readonly string[];
  readonly cwd: string | undefined;
  readonly url: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly oauth:
    | {
        clientId?: string;
        clientSecret?: string;
        callbackPort: number;
        extraHeaders: Readonly<Record<string, string>>;
        scope?: string;
      }
    | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly enabled: boolean;
  readonly examples: readonly unknown[];
  readonly tags: readonly string[];
  readonly permissions: ServerPermissions | undefined;
  /** Why this server cannot run (invalid permissions, unset variable); shown in list_servers. */
  readonly configError: string | undefined;
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly startTimeoutMs: number;
  /** Changes whenever anything that affects the connection changes (reload compares it). */
  readonly fingerprint: string;
}

export interface TransportConfig {
  readonly type: 'stdio' | 'http';
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly authToken: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
  readonly maxPayloadSize: number;
}

export interface LoggingConfig {
  readonly level: 'error' | 'info' | 'debug';
  readonly format: 'json' | 'plain';
  readonly dumpBodies: boolean;
  readonly maxBodyLogBytes: number;
  readonly redactKeys: readonly string[];
}

export interface ServersConfig {
  readonly servers: readonly ServerConfig[];
  readonly permissions: GlobalPermissions | undefined;
  readonly transport: TransportConfig;
  readonly logging: LoggingConfig;
  readonly healthMonitor: { enabled: boolean; interval: number; timeout: number; idleTimeout: number };
  readonly embedServerSummaries: { enabled: boolean; maxServers: number };
  readonly requestTimeoutMs: number;
  readonly mode: GatewayMode;
  readonly directToolLimit: number;
  /** The servers.json it came from (absolute), or undefined for an inline block. */
  readonly path: string | undefined;
  /** Where tokens.json and lock files live. */
  readonly stateDir: string;
  /** Problems that did not stop start-up (a dropped global permissions block). */
  readonly warnings: readonly string[];
  /** The environment local servers inherit (their own `env` is laid over it). */
  readonly baseEnv: Env;
}

/** Values from CLI flags; they win over the file, which wins over LAZY_MCP_* variables. */
export interface ServersOverrides {
  transport?: 'stdio' | 'http';
  port?: number;
  host?: string;
  path?: string;
  authToken?: string;
  requestTimeout?: number;
  maxPayloadSize?: number;
  mode?: GatewayMode;
  logLevel?: 'error' | 'info' | 'debug';
  logFormat?: 'json' | 'plain';
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

function describeIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const where = formatPath([...(prefix ? [prefix] : []), ...issue.path]) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${where}: ${issue.message}`;
  });
}

function positiveInt(env: Env, name: string, problems: string[]): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    problems.push(`${name}: "${raw}" is not a whole number; fix or unset the variable`);
    return undefined;
  }
  return n;
}

function oneOf<T extends string>(
  env: Env,
  name: string,
  allowed: readonly T[],
  problems: string[],
): T | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  problems.push(`${name}: "${raw}" is not one of ${allowed.join(', ')}`);
  return undefined;
}

/** LAZY_MCP_* variables: the lowest layer above the built-in defaults. */
function envLayer(env: Env, problems: string[]): ServersOverrides {
  return {
    transport: oneOf(env, 'LAZY_MCP_TRANSPORT', ['stdio', 'http'], problems),
    port: positiveInt(env, 'LAZY_MCP_PORT', problems),
    host: env.LAZY_MCP_HOST || undefined,
    path: env.LAZY_MCP_PATH || undefined,
    authToken: env.LAZY_MCP_AUTH_TOKEN || undefined,
    requestTimeout: positiveInt(env, 'LAZY_MCP_REQUEST_TIMEOUT', problems),
    maxPayloadSize: positiveInt(env, 'LAZY_MCP_MAX_PAYLOAD_SIZE', problems),
    mode: oneOf(env, 'LAZY_MCP_MODE', MODES, problems),
    logLevel: oneOf(env, 'LAZY_MCP_LOG_LEVEL', ['error', 'info', 'debug'], problems),
    logFormat: oneOf(env, 'LAZY_MCP_LOG_FORMAT', ['json', 'plain'], problems),
  };
}

function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

function parseServer(
  raw: unknown,
  index: number,
  env: Env,
  baseDir: string,
  defaults: { requestTimeoutMs: number; idleTimeoutMs: number },
  problems: string[],
): ServerConfig | undefined {
  const parsed = serverSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...describeIssues(parsed.error, `servers[${index}]`));
    return undefined;
  }
  const s = parsed.data;
  const where = `servers[${index}] (${s.name})`;
  const type = s.type ?? (s.url ? 'remote' : 'local');
  if (type === 'remote' && !s.url) problems.push(`${where}.url: a remote server needs a url`);
  if (type === 'local' && s.command === undefined) {
    problems.push(`${where}.command: a local server needs a command, e.g. ["npx", "-y", "some-mcp-server"]`);
  }
  if (Array.isArray(s.command) && s.args) {
    problems.push(
      `${where}.args: give args only with a string command; put them in the command array instead`,
    );
  }
  const command = Array.isArray(s.command) ? s.command : s.command ? [s.command, ...(s.args ?? [])] : [];
  let configError: string | undefined;
  let permissions: ServerPermissions | undefined;
  if (s.permissions !== undefined) {
    const perms = serverPermissionsSchema.safeParse(s.permissions);
    if (perms.success) permissions = perms.data;
    else configError = `invalid permissions: ${describeIssues(perms.error, 'permissions').join('; ')}`;
  }
  const expand = <T>(what: () => T, fallback: T): T => {
    try {
      return what();
    } catch (err) {
      if (err instanceof SecretFileError) throw err;
      if (err instanceof UnsetVariableError) {
        configError ??= `${err.message} (used by server "${s.name}")`;
        return fallback;
      }
      throw err;
    }
  };
  const headers = expand(() => expandRecord(s.headers, env), {});
  const serverEnv = expand(() => expandRecord(s.env, env), {});
  const oauth = s.oauth && {
    clientId: s.oauth.clientId && expand(() => expandValue(s.oauth?.clientId ?? '', env), ''),
    clientSecret: s.oauth.clientSecret && expand(() => expandValue(s.oauth?.clientSecret ?? '', env), ''),
    callbackPort: s.oauth.callbackPort,
    extraHeaders: expand(() => expandRecord(s.oauth?.extraHeaders, env), {}),
    scope: s.oauth.scope,
  };
  const cwd = s.cwd === undefined ? undefined : isAbsolute(s.cwd) ? s.cwd : resolve(baseDir, s.cwd);
  const requestTimeoutMs = s.requestTimeout ?? defaults.requestTimeoutMs;
  const connection = { type, command, cwd, url: s.url, headers, oauth, env: serverEnv };
  return Object.freeze({
    name: s.name,
    description: s.description,
    type,
    command: Object.freeze(command),
    cwd,
    url: s.url,
    headers: Object.freeze(headers),
    oauth: oauth && Object.freeze(oauth),
    env: Object.freeze(serverEnv),
    enabled: s.enabled,
    examples: Object.freeze(s.examples),
    tags: Object.freeze(s.tags),
    permissions,
    configError,
    requestTimeoutMs,
    idleTimeoutMs: s.idleTimeout ?? defaults.idleTimeoutMs,
    startTimeoutMs: s.timeout ?? Math.max(requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS),
    fingerprint: fingerprintOf({ connection, startTimeout: s.timeout, requestTimeoutMs }),
  });
}

export interface ParseServersOptions {
  /** Anchors relative paths (cwd of local servers); also where tokens.json lives for inline blocks. */
  baseDir: string;
  env?: Env;
  overrides?: ServersOverrides;
  /** Names the source in error messages. */
  source?: string;
  path?: string;
}

/** Validates a parsed servers.json; throws ConfigError naming every bad field. */
export function parseServersConfig(raw: unknown, opts: ParseServersOptions): ServersConfig {
  const env = opts.env ?? process.env;
  const source = opts.source ?? opts.path ?? 'servers.json';
  const result = serversFileSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, describeIssues(result.error, ''));
  const file = result.data;
  const problems: string[] = [];
  const warnings: string[] = [];
  const fromEnv = envLayer(env, problems);
  const cli = opts.overrides ?? {};
  const requestTimeoutMs = cli.requestTimeout ?? file.requestTimeout ?? fromEnv.requestTimeout ?? 10_000;
  let permissions: GlobalPermissions | undefined;
  if (file.permissions !== undefined) {
    const perms = globalPermissionsSchema.safeParse(file.permissions);
    if (perms.success) permissions = perms.data;
    else {
      warnings.push(
        `ignoring the global permissions block (${describeIssues(perms.error, 'permissions').join('; ')}); fix it and reload`,
      );
    }
  }
  let authToken: string | undefined;
  const rawToken = cli.authToken ?? file.transport.authToken ?? fromEnv.authToken;
  try {
    authToken = rawToken === undefined ? undefined : expandValue(rawToken, env);
  } catch (err) {
    if (err instanceof SecretFileError) throw new ConfigError(source, [err.message]);
    if (err instanceof UnsetVariableError) problems.push(`transport.authToken: ${err.message}`);
    else throw err;
  }
  const defaults = { requestTimeoutMs, idleTimeoutMs: file.healthMonitor.idleTimeout };
  const servers: ServerConfig[] = [];
  const names = new Set<string>();
  file.servers.forEach((entry, i) => {
    let server: ServerConfig | undefined;
    try {
      server = parseServer(entry, i, env, opts.baseDir, defaults, problems);
    } catch (err) {
      if (err instanceof SecretFileError) throw new ConfigError(source, [err.message]);
      throw err;
    }
    if (!server) return;
    if (names.has(server.name)) problems.push(`servers[${i}].name: duplicate server name "${server.name}"`);
    names.add(server.name);
    servers.push(server);
  });
  if (problems.length > 0) throw new ConfigError(source, problems);
  const t = file.transport;
  return Object.freeze({
    servers: Object.freeze(servers),
    permissions,
    transport: Object.freeze({
      type: cli.transport ?? t.type ?? fromEnv.transport ?? 'stdio',
      port: cli.port ?? t.port ?? fromEnv.port ?? 8080,
      host: cli.host ?? t.host ?? fromEnv.host ?? '127.0.0.1',
      path: cli.path ?? t.path ?? fromEnv.path ?? '/mcp',
      authToken: authToken || undefined,
      allowedOrigins: Object.freeze(t.allowedOrigins ?? []),
      allowedHosts: Object.freeze(t.allowedHosts ?? []),
      maxPayloadSize: cli.maxPayloadSize ?? t.maxPayloadSize ?? fromEnv.maxPayloadSize ?? 4_194_304,
    }),
    logging: Object.freeze({
      ...file.logging,
      level: cli.logLevel ?? file.logging.level ?? fromEnv.logLevel ?? 'info',
      format: cli.logFormat ?? file.logging.format ?? fromEnv.logFormat ?? 'json',
    }),
    healthMonitor: Object.freeze(file.healthMonitor),
    embedServerSummaries: Object.freeze(file.embedServerSummaries),
    requestTimeoutMs,
    mode: cli.mode ?? file.mode ?? fromEnv.mode ?? 'lazy',
    directToolLimit: file.directToolLimit,
    path: opts.path,
    stateDir: opts.path ? dirname(opts.path) : opts.baseDir,
    warnings: Object.freeze(warnings),
    baseEnv: env,
  });
}

/** `--config` > LAZY_MCP_CONFIG > $XDG_CONFIG_HOME/lazy-mcp > ~/.config/lazy-mcp. */
export function resolveServersConfigPath(cliPath: string | undefined, env: Env = process.env): string {
  if (cliPath) return resolve(cliPath);
  if (env.LAZY_MCP_CONFIG) return resolve(env.LAZY_MCP_CONFIG);
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'lazy-mcp', 'servers.json');
}

export function loadServersConfig(path: string, overrides?: ServersOverrides, env?: Env): ServersConfig {
  const abs = resolve(path);
  return parseServersConfig(readJsonFile(abs), { baseDir: dirname(abs), path: abs, overrides, env });
}

/**
 * The `servers` key of team.json: a path to a servers.json (relative to team.json), a list
 * of servers, or a whole servers.json object.
 */
export function parseServersBlock(raw: unknown, baseDir: string): ServersConfig {
  if (typeof raw === 'string') return loadServersConfig(isAbsolute(raw) ? raw : resolve(baseDir, raw));
  const file = Array.isArray(raw) ? { servers: raw } : raw;
  return parseServersConfig(file, { baseDir, source: 'team.json servers' });
}
