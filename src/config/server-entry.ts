import { createHash } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { formatPath } from './config-error.ts';
import {
  type Env,
  expandHome,
  expandRecord,
  expandValue,
  SecretFileError,
  UnsetVariableError,
} from './servers-expand.ts';
import type { ServerEntry } from './servers-migrate.ts';

/*
 * One downstream server entry of servers.json: its schema and permissions, the expansion of
 * ${VAR} and {file:…} in what reaches the server, and the frozen ServerConfig it becomes.
 */

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
export const globalPermissionsSchema = z.strictObject({
  default: action.optional(),
  rules: z.array(ruleSchema.extend({ server: z.string().min(1).default('*') })).default([]),
});
export type PermissionRule = z.output<typeof ruleSchema>;
export type ServerPermissions = z.output<typeof serverPermissionsSchema>;
export type GlobalPermissions = z.output<typeof globalPermissionsSchema>;

const stringRecord = z.record(z.string(), z.string());
export const ms = z.number().int().min(0);

const serverSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'use 1-64 letters, digits, ".", "_" or "-"'),
  description: z.string({ error: 'give a one-line description (list_servers shows it)' }),
  type: z.enum(['local', 'remote']).optional(),
  command: z.union([z.array(z.string()).min(1), z.string().min(1)]).optional(),
  args: z.array(z.string()).optional(),
  cwd: z.string().optional(),
  url: z.string().min(1, 'give the server\'s MCP endpoint, e.g. "https://example.com/mcp"').optional(),
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
  /** Stop the server after this long unused (0 = never); overrides the top-level idleTimeout. */
  idleTimeout: ms.optional(),
  /** Bound on start-up (spawn + initialize); defaults to the request timeout. */
  timeout: ms.positive().optional(),
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

export function describeIssues(error: z.ZodError, prefix: string): string[] {
  return error.issues.map((issue) => {
    const where = formatPath([...(prefix ? [prefix] : []), ...issue.path]) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${where}: ${issue.message}`;
  });
}

function fingerprintOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** An http(s) URL, or a message saying what is wrong with it. */
function checkUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL; give the server's MCP endpoint, e.g. "https://example.com/mcp"`;
  }
  if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return undefined;
  return `"${url}" is not an http(s) URL (${parsed.protocol.slice(0, -1)} is not an MCP transport); give the server's http:// or https:// endpoint`;
}

/** One server entry validated, expanded and defaulted; what is wrong goes to `problems`. */
export function parseServer(
  entry: ServerEntry,
  env: Env,
  baseDir: string,
  defaults: { requestTimeoutMs: number; idleTimeoutMs: number },
  problems: string[],
): ServerConfig | undefined {
  const parsed = serverSchema.safeParse(entry.raw);
  if (!parsed.success) {
    problems.push(...describeIssues(parsed.error, entry.where));
    return undefined;
  }
  const s = parsed.data;
  const where = entry.where.endsWith(`.${s.name}`) ? entry.where : `${entry.where} (${s.name})`;
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
  const written = Array.isArray(s.command) ? s.command : s.command ? [s.command, ...(s.args ?? [])] : [];
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
  // ${VAR} and {file:…} in every string that reaches the server (seed 2.6.6: any string).
  const command = expand(() => written.map((part) => expandValue(part, env)), written);
  const url = s.url === undefined ? undefined : expand(() => expandValue(s.url ?? '', env), s.url);
  const cwdWritten = s.cwd === undefined ? undefined : expand(() => expandValue(s.cwd ?? '', env), s.cwd);
  const urlProblem = url !== undefined && configError === undefined ? checkUrl(url) : undefined;
  if (urlProblem) problems.push(`${where}.url: ${urlProblem}`);
  const headers = expand(() => expandRecord(s.headers, env), {});
  const serverEnv = expand(() => expandRecord(s.env, env), {});
  const oauth = s.oauth && {
    clientId: s.oauth.clientId && expand(() => expandValue(s.oauth?.clientId ?? '', env), ''),
    clientSecret: s.oauth.clientSecret && expand(() => expandValue(s.oauth?.clientSecret ?? '', env), ''),
    callbackPort: s.oauth.callbackPort,
    extraHeaders: expand(() => expandRecord(s.oauth?.extraHeaders, env), {}),
    scope: s.oauth.scope,
  };
  const cwd =
    cwdWritten === undefined
      ? undefined
      : isAbsolute(expandHome(cwdWritten))
        ? expandHome(cwdWritten)
        : resolve(baseDir, cwdWritten);
  const requestTimeoutMs = s.requestTimeout ?? defaults.requestTimeoutMs;
  const connection = { type, command, cwd, url, headers, oauth, env: serverEnv };
  return Object.freeze({
    name: s.name,
    description: s.description,
    type,
    command: Object.freeze(command),
    cwd,
    url,
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
    // The handshake is a request like any other: requestTimeout bounds it unless timeout is set.
    startTimeoutMs: s.timeout ?? requestTimeoutMs,
    fingerprint: fingerprintOf({ connection, startTimeout: s.timeout, requestTimeoutMs }),
  });
}
