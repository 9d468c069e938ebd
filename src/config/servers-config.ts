import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DEFAULT_INHERITED_ENV_VARS } from '@modelcontextprotocol/sdk/client/stdio.js';
import stripJsonComments from 'strip-json-comments';
import { z } from 'zod';
import { ConfigError, readJsonFile } from './config-error.ts';
import { type GatewayMode, MODES } from './gateway-mode.ts';
import {
  describeIssues,
  type GlobalPermissions,
  globalPermissionsSchema,
  ms,
  parseServer,
  type ServerConfig,
} from './server-entry.ts';
import {
  type Env,
  expandHome,
  expandValue,
  readSecretFile,
  SecretFileError,
  UnsetVariableError,
} from './servers-expand.ts';
import { serverEntries } from './servers-migrate.ts';

export type {
  GlobalPermissions,
  PermissionRule,
  ServerConfig,
  ServerPermissions,
} from './server-entry.ts';
export type { Env };
export { ConfigError, type GatewayMode, MODES };

const serversFileSchema = z.strictObject({
  $schema: z.string().optional(),
  /** A list (or, as VS Code writes it, a map by name); checked by serverEntries. */
  servers: z.unknown().optional(),
  /** Claude Desktop's and Cursor's map of servers by name. */
  mcpServers: z.unknown().optional(),
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
      /** An HTTP session unused this long is closed (0 = never). */
      sessionIdleTimeout: ms.optional(),
      maxSessions: z.number().int().positive().optional(),
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
  /** Stop a downstream server after this long unused (0 = never, the default: state is kept). */
  idleTimeout: ms.optional(),
  mode: z.enum(MODES).optional(),
  directToolLimit: z.number().int().min(0).default(30),
  /** tools/call passed on as raw JSON-RPC, or through the MCP SDK's Client and Server. */
  forwarding: z.enum(['raw', 'sdk']).default('raw'),
});

export interface TransportConfig {
  readonly type: 'stdio' | 'http';
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly authToken: string | undefined;
  readonly allowedOrigins: readonly string[];
  readonly allowedHosts: readonly string[];
  readonly maxPayloadSize: number;
  /** An HTTP session with no request and no message for this long is closed (0 = never). */
  readonly sessionIdleTimeoutMs: number;
  /** Open HTTP sessions at most; one more initialize is answered 503. */
  readonly maxSessions: number;
}

export interface LoggingConfig {
  readonly level: 'error' | 'info' | 'debug';
  readonly format: 'json' | 'plain';
  readonly dumpBodies: boolean;
  readonly maxBodyLogBytes: number;
  readonly redactKeys: readonly string[];
  /** Values that must never reach a log: the auth token, servers' env, header and OAuth secrets. */
  readonly secretValues: readonly string[];
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
  readonly forwarding: 'raw' | 'sdk';
  /** The servers.json it came from (absolute), or undefined for an inline block. */
  readonly path: string | undefined;
  /** Where tokens.json, client-info.json and lock files live: lazy-mcp's XDG directory. */
  readonly stateDir: string;
  /** Problems that did not stop start-up (a dropped global permissions block). */
  readonly warnings: readonly string[];
  /**
   * What local servers inherit (their own `env` is laid over it): only the MCP SDK's default
   * allow-list (HOME, PATH, USER, …), never the gateway's secrets.
   */
  readonly baseEnv: Env;
}

/** Values from CLI flags; they win over the file, which wins over LAZY_MCP_* variables. */
export interface ServersOverrides {
  transport?: 'stdio' | 'http';
  port?: number;
  host?: string;
  path?: string;
  authToken?: string;
  /** A file holding the token (kept out of `ps`, unlike `authToken` as a flag). */
  authTokenFile?: string;
  requestTimeout?: number;
  maxPayloadSize?: number;
  mode?: GatewayMode;
  logLevel?: 'error' | 'info' | 'debug';
  logFormat?: 'json' | 'plain';
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

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
    authTokenFile: env.LAZY_MCP_AUTH_TOKEN_FILE || undefined,
    requestTimeout: positiveInt(env, 'LAZY_MCP_REQUEST_TIMEOUT', problems),
    maxPayloadSize: positiveInt(env, 'LAZY_MCP_MAX_PAYLOAD_SIZE', problems),
    mode: oneOf(env, 'LAZY_MCP_MODE', MODES, problems),
    logLevel: oneOf(env, 'LAZY_MCP_LOG_LEVEL', ['error', 'info', 'debug'], problems),
    logFormat: oneOf(env, 'LAZY_MCP_LOG_FORMAT', ['json', 'plain'], problems),
  };
}

/** The SDK's allow-list of inherited variables, without shell functions (a known injection path). */
function inheritedEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of DEFAULT_INHERITED_ENV_VARS) {
    const value = env[key];
    if (value !== undefined && !value.startsWith('()')) out[key] = value;
  }
  return out;
}

/** Every configured value a body dump must mask, wherever in a message it appears. */
function secretValuesOf(servers: readonly ServerConfig[], authToken: string | undefined): string[] {
  const out = authToken ? [authToken] : [];
  for (const s of servers) {
    out.push(...Object.values(s.env));
    // "Bearer <token>": the token alone may be echoed too.
    for (const value of Object.values(s.headers)) out.push(value, value.split(/\s+/).pop() ?? '');
    if (s.oauth?.clientSecret) out.push(s.oauth.clientSecret);
    out.push(...Object.values(s.oauth?.extraHeaders ?? {}));
  }
  return out;
}

export interface ParseServersOptions {
  /** Anchors relative paths (cwd of local servers). */
  baseDir: string;
  /** Where OAuth tokens and lock files live (default: lazyMcpDir). */
  stateDir?: string;
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
  const requestTimeoutMs =
    cli.requestTimeout ?? file.requestTimeout ?? fromEnv.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
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
  if (cli.authToken !== undefined && cli.authTokenFile !== undefined) {
    problems.push('--auth-token and --auth-token-file: give one of them, not both');
  }
  // A token file is taken literally; the other sources may use ${VAR} and {file:…}.
  const tokenFile = (path: string, from: string) => readSecretFile(resolve(expandHome(path)), from);
  try {
    if (cli.authToken !== undefined) authToken = expandValue(cli.authToken, env);
    else if (cli.authTokenFile) authToken = tokenFile(cli.authTokenFile, '--auth-token-file');
    else if (file.transport.authToken !== undefined) authToken = expandValue(file.transport.authToken, env);
    else if (fromEnv.authToken !== undefined) authToken = expandValue(fromEnv.authToken, env);
    else if (fromEnv.authTokenFile) authToken = tokenFile(fromEnv.authTokenFile, 'LAZY_MCP_AUTH_TOKEN_FILE');
  } catch (err) {
    if (err instanceof SecretFileError) throw new ConfigError(source, [err.message]);
    if (err instanceof UnsetVariableError) problems.push(`transport.authToken: ${err.message}`);
    else throw err;
  }
  const defaults = { requestTimeoutMs, idleTimeoutMs: file.idleTimeout ?? 0 };
  const servers: ServerConfig[] = [];
  const names = new Set<string>();
  for (const entry of serverEntries(file.servers, file.mcpServers, problems, warnings)) {
    let server: ServerConfig | undefined;
    try {
      server = parseServer(entry, env, opts.baseDir, defaults, problems);
    } catch (err) {
      if (err instanceof SecretFileError) throw new ConfigError(source, [err.message]);
      throw err;
    }
    if (!server) continue;
    if (names.has(server.name)) problems.push(`${entry.where}.name: duplicate server name "${server.name}"`);
    names.add(server.name);
    servers.push(server);
  }
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
      sessionIdleTimeoutMs: t.sessionIdleTimeout ?? 1_800_000,
      maxSessions: t.maxSessions ?? 100,
    }),
    logging: Object.freeze({
      ...file.logging,
      secretValues: Object.freeze(secretValuesOf(servers, authToken)),
      level: cli.logLevel ?? file.logging.level ?? fromEnv.logLevel ?? 'info',
      format: cli.logFormat ?? file.logging.format ?? fromEnv.logFormat ?? 'json',
    }),
    healthMonitor: Object.freeze(file.healthMonitor),
    embedServerSummaries: Object.freeze(file.embedServerSummaries),
    requestTimeoutMs,
    mode: cli.mode ?? file.mode ?? fromEnv.mode ?? 'lazy',
    directToolLimit: file.directToolLimit,
    forwarding: file.forwarding,
    path: opts.path,
    stateDir: opts.stateDir ?? lazyMcpDir(env),
    warnings: Object.freeze(warnings),
    baseEnv: Object.freeze(inheritedEnv(env)),
  });
}

/**
 * JSON with comments and trailing commas (JSONC), as editors and the lazy-mcp README write
 * servers.json. Comments become spaces, so error positions still point into the file.
 */
function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonComments(text, { trailingCommas: true }));
}

/** `--config` > LAZY_MCP_CONFIG > $XDG_CONFIG_HOME/lazy-mcp > ~/.config/lazy-mcp. */
export function resolveServersConfigPath(cliPath: string | undefined, env: Env = process.env): string {
  if (cliPath) return resolve(expandHome(cliPath));
  if (env.LAZY_MCP_CONFIG) return resolve(expandHome(env.LAZY_MCP_CONFIG));
  return join(lazyMcpDir(env), 'servers.json');
}

/**
 * lazy-mcp's own directory, $XDG_CONFIG_HOME/lazy-mcp else ~/.config/lazy-mcp: the default
 * servers.json and, wherever servers.json is, the OAuth tokens and lock files.
 */
export function lazyMcpDir(env: Env = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'lazy-mcp');
}

export function loadServersConfig(path: string, overrides?: ServersOverrides, env?: Env): ServersConfig {
  const abs = resolve(path);
  return parseServersConfig(readJsonFile(abs, parseJsonc), {
    baseDir: dirname(abs),
    path: abs,
    overrides,
    env,
  });
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
