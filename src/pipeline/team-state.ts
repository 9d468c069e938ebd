import { auditLogFiles } from '../audit/audit-log.ts';
import { replicaAuditDir } from '../audit/replica-audit.ts';
import type { Scope } from '../auth/scopes.ts';
import { sha256Hex } from '../auth/tokens.ts';
import { serversFileOf, type TeamConfig } from '../config/team-config.ts';
import { createWorkspace, type Workspace } from '../engine/workspace.ts';
import { tokenScopes } from '../governance/roles.ts';

/**
 * A request's caller after the bearer check. A token keeps its Caller object across reloads
 * while its secret and grants stay the same, so identity means "the same credential": a
 * revoked, re-issued or re-scoped token gets a new object (or none).
 */
export interface Caller {
  tokenId: string;
  scopes: ReadonlySet<Scope>;
  /** Its role (its own, else the profile's default), for budgets and usage; undefined = none. */
  role?: string | undefined;
  /** Workspaces the token is limited to; undefined = all. */
  workspaces: readonly string[] | undefined;
  /** Gateway downstream server globs; undefined = all. */
  servers: readonly string[] | undefined;
}

interface TokenEntry {
  digest: string;
  caller: Caller;
}

/**
 * The live configuration: workspaces and tokens, swapped whole on reload. Workspaces whose
 * id and root did not change keep their caches and indexes.
 */
export interface TeamState {
  config(): TeamConfig;
  workspace(id: string): Workspace | undefined;
  workspaces(): readonly Workspace[];
  /** The caller for a presented bearer token, or undefined (unknown or revoked). */
  authenticate(token: string): Caller | undefined;
  activeTokenCount(): number;
  /** False once the caller's token was revoked, re-issued or given other grants. */
  isCurrent(caller: Caller): boolean;
  /** Calls `listener` after every apply (open streams and sessions re-check their caller). */
  onApply(listener: () => void): () => void;
  /** Applies a new, already validated config. */
  apply(next: TeamConfig): Promise<void>;
  close(): Promise<void>;
}

const grantsOf = (c: Caller) =>
  JSON.stringify([c.tokenId, [...c.scopes].sort(), c.workspaces, c.servers, c.role]);

/** The active tokens; an entry whose digest and grants did not change keeps its Caller. */
function tokenEntries(config: TeamConfig, previous: readonly TokenEntry[] = []): TokenEntry[] {
  return config.tokens
    .filter((t) => t.revokedAt === undefined)
    .map((t) => {
      const caller: Caller = {
        tokenId: t.id,
        scopes: tokenScopes(t.scopes, t.role, config.governance.roles),
        role: t.role ?? config.governance.defaultRole,
        workspaces: t.workspaces,
        servers: t.servers,
      };
      const same = previous.find((p) => p.digest === t.sha256Hex && grantsOf(p.caller) === grantsOf(caller));
      return { digest: t.sha256Hex, caller: same?.caller ?? caller };
    });
}

/**
 * Callers by the SHA-256 of their secret, rebuilt on every apply (so a revoked or re-issued
 * token is gone at once). A lookup is one hash of the presented token and one map probe,
 * whatever the number of tokens; it compares digests, never secrets, so its timing says
 * nothing about a stored secret.
 */
function indexByDigest(entries: readonly TokenEntry[]): Map<string, Caller> {
  const byDigest = new Map<string, Caller>();
  for (const e of entries) if (!byDigest.has(e.digest)) byDigest.set(e.digest, e.caller);
  return byDigest;
}

/** Files with the server's own state, never readable through a workspace (the data dir always is). */
function stateFiles(cfg: TeamConfig): string[] {
  const files = [...(cfg.auditLogPath ? auditLogFiles(cfg.auditLogPath) : [])];
  // every replica's audit file, whichever replica this is
  if (cfg.auditLogPath) files.push(replicaAuditDir(cfg.auditLogPath));
  if (cfg.path) files.push(cfg.path);
  const servers = serversFileOf(cfg);
  if (servers) files.push(servers);
  if (cfg.governance.file) files.push(cfg.governance.file);
  return files;
}

export const workspaceOf = (ws: TeamConfig['workspaces'][number], cfg: TeamConfig) =>
  createWorkspace({ ...ws, dataDir: cfg.dataDir, exclude: stateFiles(cfg) });

export function createTeamState(initial: TeamConfig): TeamState {
  let config = initial;
  let tokens = tokenEntries(initial);
  let callers = indexByDigest(tokens);
  const byId = new Map<string, Workspace>();
  const listeners = new Set<() => void>();
  const build = (cfg: TeamConfig) => {
    for (const ws of cfg.workspaces) {
      byId.set(ws.id, workspaceOf(ws, cfg));
    }
  };
  build(initial);

  return {
    config: () => config,
    workspace: (id) => byId.get(id),
    workspaces: () => [...byId.values()],
    authenticate: (token) => callers.get(sha256Hex(token)),
    activeTokenCount: () => tokens.length,
    isCurrent: (caller) => tokens.some((t) => t.caller === caller),
    onApply(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async apply(next) {
      const stale: Workspace[] = [];
      const nextIds = new Set(next.workspaces.map((w) => w.id));
      for (const [id, ws] of byId) {
        const wanted = next.workspaces.find((w) => w.id === id);
        const prev = config.workspaces.find((w) => w.id === id);
        const same =
          wanted &&
          prev &&
          wanted.root === prev.root &&
          wanted.allowExec === prev.allowExec &&
          wanted.sandbox === prev.sandbox &&
          wanted.shellHistory === prev.shellHistory &&
          wanted.commandAllow.join('\n') === prev.commandAllow.join('\n') &&
          wanted.commandDeny.join('\n') === prev.commandDeny.join('\n');
        const moved =
          next.dataDir !== config.dataDir || stateFiles(next).join() !== stateFiles(config).join();
        if (!nextIds.has(id) || !same || moved) {
          stale.push(ws);
          byId.delete(id);
        }
      }
      for (const ws of next.workspaces) {
        if (!byId.has(ws.id)) byId.set(ws.id, workspaceOf(ws, next));
      }
      config = next;
      tokens = tokenEntries(next, tokens);
      callers = indexByDigest(tokens);
      for (const listener of listeners) {
        try {
          listener();
        } catch {
          // one listener's failure must not keep the others from re-checking
        }
      }
      await Promise.all(stale.map((ws) => ws.close()));
    },
    async close() {
      const all = [...byId.values()];
      byId.clear();
      await Promise.all(all.map((ws) => ws.close()));
    },
  };
}
