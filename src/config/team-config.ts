import { renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { z } from 'zod';
import { parseScope } from '../auth/scopes.ts';
import { patternProblem } from '../engine/shell/command-policy.ts';
import { ConfigError, issueProblems, readJsonFile } from './config-error.ts';
import { redisSchema, resolveScaleOut, type ScaleOut } from './scale-out.ts';
import type { Env } from './servers-expand.ts';
import { resolveStoreConfig, type StoreConfig, storeSchema } from './store-config.ts';
import { resolveTeamProfile, type TeamProfile, teamProfileSchema } from './team-profile.ts';

export { ConfigError };

const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const idSchema = z
  .string()
  .regex(idPattern, 'use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit');

const commandPattern = z
  .string()
  .max(1024)
  .superRefine((pattern, ctx) => {
    const problem = patternProblem(pattern);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const workspaceSchema = z.strictObject({
  id: idSchema,
  /** The original CLI writes `null` for no label. */
  label: z
    .string()
    .nullish()
    .transform((v) => v ?? undefined),
  root: z.string().min(1, 'give the project directory'),
  /** ctx_shell, ctx_execute and ctx_edit run only where this is true (and the token has `exec`). */
  allowExec: z.boolean().default(false),
  /** ctx_shell runs its commands in the same namespace sandbox as ctx_execute (workspace writable). */
  sandbox: z.boolean().default(false),
  /** ctx_discover reads the server user's shell history (local mode sets it; off on a team server). */
  shellHistory: z.boolean().default(false),
  /** ctx_shell runs only commands matching one of these argv patterns ("git *"); empty: any. */
  commandAllow: z.array(commandPattern).max(256).default([]),
  /** ctx_shell refuses commands matching one of these argv patterns ("rm -rf *"). */
  commandDeny: z.array(commandPattern).max(256).default([]),
});

const tokenSchema = z
  .strictObject({
    id: idSchema,
    sha256Hex: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters (SHA-256 of the token)'),
    scopes: z.array(z.string()).default([]),
    role: z.string().optional(),
    workspaces: z.array(z.string()).optional(),
    /** Globs over downstream gateway server names this token may use (default: all). */
    servers: z.array(z.string()).optional(),
    createdAt: z.string().optional(),
    revokedAt: z.string().optional(),
  })
  .superRefine((token, ctx) => {
    token.scopes.forEach((scope, i) => {
      if (!parseScope(scope)) {
        ctx.addIssue({ code: 'custom', path: ['scopes', i], message: `unknown scope "${scope}"` });
      }
    });
    if (token.scopes.length === 0 && token.role === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['scopes'],
        message: 'a token needs at least one scope or a role',
      });
    }
  });

/**
 * Keys a team.json written by the original lean-ctx may hold that mean nothing here: accepted
 * so such a file loads as it is, each named in a notice (see ignoredKeyNotices).
 */
const ORIGINAL_ONLY_KEYS = {
  statefulMode: z.boolean().optional(),
  jsonResponse: z.boolean().optional(),
  connectors: z.array(z.unknown()).optional(),
  roiWebhookUrl: z.string().optional(),
};

const IGNORED_BECAUSE: Record<keyof typeof ORIGINAL_ONLY_KEYS, string> = {
  statefulMode:
    'MCP sessions open when a client sends initialize, and a request without a session is answered on its own',
  jsonResponse: 'MCP answers to POST are always JSON',
  connectors: 'managed connectors were a hosted feature of the original and are not served',
  roiWebhookUrl: 'the weekly ROI webhook is not sent; GET /v1/savings/summary has the figures',
};

/**
 * One line per original-only key the file sets: what is ignored and why. In such a file a
 * `member` token is named too: the original's member could not write sessions, ours can.
 */
function originalFileNotices(
  cfg: Partial<Record<keyof typeof ORIGINAL_ONLY_KEYS, unknown>> & {
    tokens: { id: string; role?: string }[];
  },
): string[] {
  const keys = (Object.keys(IGNORED_BECAUSE) as (keyof typeof ORIGINAL_ONLY_KEYS)[]).filter(
    (k) => cfg[k] !== undefined,
  );
  if (keys.length === 0) return [];
  const members = cfg.tokens.filter((t) => t.role === 'member').map((t) => `"${t.id}"`);
  return [
    ...keys.map((k) => `"${k}" is ignored: ${IGNORED_BECAUSE[k]}`),
    ...(members.length > 0
      ? [
          `token ${members.join(', ')} has role "member", which here also grants sessionMutations (the original lean-ctx's did not)`,
        ]
      : []),
  ];
}

export const teamConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9877),
    defaultWorkspaceId: z.string().optional(),
    auditLogPath: z.string().optional(),
    /** Rotate the audit file when it passes this many bytes (0 = never). */
    auditMaxBytes: z.number().int().min(0).default(0),
    disableHostCheck: z.boolean().default(false),
    allowedHosts: z.array(z.string()).default([]),
    maxBodyBytes: z.number().int().positive().default(2_097_152),
    maxConcurrency: z.number().int().positive().default(32),
    maxRps: z.number().positive().default(50),
    rateBurst: z.number().int().positive().default(100),
    requestTimeoutMs: z.number().int().positive().default(30_000),
    /** Headers and body must arrive within this (a slow client cannot hold a connection). */
    requestReadTimeoutMs: z.number().int().positive().default(30_000),
    maxMcpSessionsPerToken: z.number().int().positive().default(64),
    /** An MCP session unused this long is closed. */
    mcpSessionIdleMs: z.number().int().positive().default(1_800_000),
    maxEventStreamsPerToken: z.number().int().positive().default(16),
    /** Events waiting for one slow SSE client; past it the client is dropped. */
    maxQueuedEventsPerStream: z.number().int().positive().default(1000),
    /** Events one `GET /v1/events` replays before going live; older ones are skipped with a notice. */
    maxReplayEvents: z.number().int().positive().default(1000),
    eventRetentionDays: z.number().positive().default(30),
    maxEventsPerChannel: z.number().int().positive().default(100_000),
    /** Where SQLite and archives live; relative to this file. */
    dataDir: z.string().optional(),
    /** `core` lists the small default tool surface; `all` lists every tool directly. */
    toolSurface: z.enum(['core', 'all']).default('core'),
    workspaces: z.array(workspaceSchema).min(1, 'list at least one workspace'),
    tokens: z.array(tokenSchema).default([]),
    /** A team profile: a preset name or a TOML file (relative to this file); or inline as `governance`. */
    profile: z.string().min(1).optional(),
    governance: teamProfileSchema.optional(),
    servers: z.union([z.string(), z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    /** ctx_provider's services; `token` may be `${VAR}` or `{file:/path}` (read at call time). */
    providers: z
      .strictObject({
        gitlab: z
          .strictObject({
            url: z.url({ protocol: /^https?$/ }).optional(),
            token: z.string().min(1).optional(),
          })
          .optional(),
      })
      .optional(),
    /** Reported by GET /v1/storage and /v1/usage (as the original did); not enforced. */
    storageQuotaBytes: z.number().int().min(0).optional(),
    /** Where state lives: SQLite in dataDir (default) or a PostgreSQL database replicas share. */
    store: storeSchema.optional(),
    /** Usage rows older than this many days are deleted (hourly); unset keeps them all. */
    usageRetentionDays: z.number().positive().optional(),
    /** Replicas: rate buckets, read state and event wake-ups shared in Redis (also LEANCTX_REDIS_URL). */
    redis: redisSchema.optional(),
    /** Key that signs MCP session ids so any replica serves them (also LEANCTX_SESSION_SECRET); `${VAR}` allowed. */
    sessionSecret: z.string().min(1).optional(),
    /** A signed MCP session id is refused this long after its initialize. */
    mcpSessionTtlMs: z.number().int().positive().default(86_400_000),
    ...ORIGINAL_ONLY_KEYS,
  })
  .superRefine((cfg, ctx) => {
    if (cfg.profile !== undefined && cfg.governance !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['governance'],
        message: 'give either "profile" (a preset or a TOML file) or an inline "governance" block, not both',
      });
    }
    const seen = new Set<string>();
    cfg.workspaces.forEach((ws, i) => {
      if (seen.has(ws.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['workspaces', i, 'id'],
          message: `duplicate workspace id "${ws.id}"`,
        });
      }
      seen.add(ws.id);
    });
    if (cfg.defaultWorkspaceId !== undefined && !seen.has(cfg.defaultWorkspaceId)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultWorkspaceId'],
        message: `"${cfg.defaultWorkspaceId}" is not one of the workspaces (${[...seen].join(', ')})`,
      });
    }
    const tokenIds = new Set<string>();
    cfg.tokens.forEach((token, i) => {
      if (tokenIds.has(token.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tokens', i, 'id'],
          message: `duplicate token id "${token.id}"`,
        });
      }
      tokenIds.add(token.id);
      token.workspaces?.forEach((w, j) => {
        if (!seen.has(w)) {
          ctx.addIssue({
            code: 'custom',
            path: ['tokens', i, 'workspaces', j],
            message: `unknown workspace "${w}"`,
          });
        }
      });
    });
  });

export type TeamConfigInput = z.input<typeof teamConfigSchema>;
type Parsed = z.output<typeof teamConfigSchema>;
export type WorkspaceConfig = Parsed['workspaces'][number];
export type TokenConfig = Parsed['tokens'][number];

/** A validated team.json: defaults applied, paths absolute, frozen. */
export type TeamConfig = Readonly<
  Omit<Parsed, 'defaultWorkspaceId' | 'dataDir' | 'governance' | 'store' | 'redis' | 'sessionSecret'> &
    ScaleOut & {
      /** The store in force (SQLite unless team.json or LEANCTX_DATABASE_URL names PostgreSQL). */
      store: StoreConfig;
      defaultWorkspaceId: string;
      dataDir: string;
      /** The team profile in force: budgets, roles, model (NO_PROFILE when none is set). */
      governance: TeamProfile;
      /** The file it came from (absolute), or undefined for an in-memory config. */
      path: string | undefined;
      /** What the file sets that this server ignores (keys of the original lean-ctx), for the log. */
      notices: readonly string[];
    }
>;

/** Where a team profile comes from besides team.json: `--profile` (a preset or a TOML file). */
export interface ProfileOverride {
  profile?: string | undefined;
  /** Where LEANCTX_DATABASE_URL, LEANCTX_REDIS_URL, LEANCTX_SESSION_SECRET and `${VAR}` are read (default: process.env). */
  env?: Env | undefined;
}

/** Validates a parsed JSON value as team.json; `baseDir` anchors relative paths. */
export function parseTeamConfig(
  raw: unknown,
  baseDir: string,
  source = 'team.json',
  path?: string,
  opts: ProfileOverride = {},
): TeamConfig {
  const result = teamConfigSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, issueProblems(result.error, teamConfigSchema));
  const cfg = result.data;
  const problems: string[] = [];
  const workspaces = cfg.workspaces.map((ws, i) => {
    const root = isAbsolute(ws.root) ? ws.root : resolve(baseDir, ws.root);
    let isDir = false;
    try {
      isDir = statSync(root).isDirectory();
    } catch {
      // reported below
    }
    if (!isDir) problems.push(`workspaces[${i}].root: "${root}" is not an existing directory`);
    return Object.freeze({ ...ws, root });
  });
  const auditLogPath = cfg.auditLogPath && resolve(baseDir, cfg.auditLogPath);
  if (auditLogPath) {
    try {
      if (!statSync(dirname(auditLogPath)).isDirectory()) throw new Error();
    } catch {
      problems.push(`auditLogPath: the directory "${dirname(auditLogPath)}" does not exist; create it first`);
    }
  }
  const dataDir = resolve(baseDir, cfg.dataDir ?? '.leanctx');
  workspaces.forEach((ws, i) => {
    // The data dir is never readable through a workspace, so a root inside it could read nothing.
    if (ws.root === dataDir || ws.root.startsWith(`${dataDir}${sep}`)) {
      problems.push(`workspaces[${i}].root: "${ws.root}" is inside dataDir "${dataDir}"; move one of them`);
    }
  });
  const governance = resolveTeamProfile(cfg, baseDir, opts.profile);
  cfg.tokens.forEach((t, i) => {
    if (t.role !== undefined && !governance.roles.has(t.role)) {
      problems.push(
        `tokens[${i}].role: unknown role "${t.role}"; roles: ${[...governance.roles.keys()].join(', ')} (profile: ${governance.source})`,
      );
    }
  });
  const store = resolveStoreConfig(cfg.store, opts.env ?? process.env, cfg.requestTimeoutMs, problems);
  const scaleOut = resolveScaleOut(cfg, opts.env ?? process.env, problems);
  if (problems.length > 0) throw new ConfigError(source, problems);
  const firstWorkspace = workspaces[0];
  if (!firstWorkspace) throw new ConfigError(source, ['workspaces: list at least one workspace']);
  return Object.freeze({
    ...cfg,
    auditLogPath,
    dataDir,
    defaultWorkspaceId: cfg.defaultWorkspaceId ?? firstWorkspace.id,
    allowedHosts: Object.freeze([...cfg.allowedHosts]) as string[],
    workspaces: Object.freeze(workspaces) as WorkspaceConfig[],
    tokens: Object.freeze(cfg.tokens.map((t) => Object.freeze(t))) as TokenConfig[],
    governance,
    store,
    ...scaleOut,
    path,
    notices: Object.freeze([...originalFileNotices(cfg), ...scaleOut.notices]),
  });
}

/** The directory relative paths of team.json are resolved against. */
export function configDirOf(config: TeamConfig): string {
  return config.path ? dirname(config.path) : config.dataDir;
}

/** The servers.json a `servers` path names (absolute), or undefined for an inline block. */
export function serversFileOf(config: TeamConfig): string | undefined {
  return typeof config.servers === 'string' ? resolve(configDirOf(config), config.servers) : undefined;
}

export function loadTeamConfig(path: string, opts: ProfileOverride = {}): TeamConfig {
  const abs = resolve(path);
  return parseTeamConfig(readJsonFile(abs), dirname(abs), abs, abs, opts);
}

/**
 * Rewrites team.json with a change applied to its raw JSON (so defaults and unknown
 * formatting choices of the user are not expanded), validating the result first.
 * The write is atomic: a reader never sees half a file.
 */
export function updateTeamConfigFile(
  path: string,
  change: (raw: Record<string, unknown>) => void,
  opts: ProfileOverride = {},
): TeamConfig {
  const abs = resolve(path);
  const raw = readJsonFile(abs);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(abs, ['(top level): must be a JSON object']);
  }
  const copy = structuredClone(raw) as Record<string, unknown>;
  change(copy);
  const validated = parseTeamConfig(copy, dirname(abs), abs, abs, opts);
  const tmp = `${abs}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(copy, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, abs);
  return validated;
}
