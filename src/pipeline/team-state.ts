import type { Scope } from '../auth/scopes.ts';
import { hexDigestsEqual, sha256Hex } from '../auth/tokens.ts';
import type { TeamConfig } from '../config/team-config.ts';
import { createWorkspace, type Workspace } from '../engine/workspace.ts';
import { tokenScopes } from '../governance/roles.ts';

/** A request's caller after the bearer check. */
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
  /** Applies a new, already validated config. */
  apply(next: TeamConfig): Promise<void>;
  close(): Promise<void>;
}

function tokenEntries(config: TeamConfig): TokenEntry[] {
  return config.tokens
    .filter((t) => t.revokedAt === undefined)
    .map((t) => ({
      digest: t.sha256Hex,
      caller: {
        tokenId: t.id,
        scopes: tokenScopes(t.scopes, t.role, config.governance.roles),
        role: t.role ?? config.governance.defaultRole,
        workspaces: t.workspaces,
        servers: t.servers,
      },
    }));
}

export function createTeamState(initial: TeamConfig): TeamState {
  let config = initial;
  let tokens = tokenEntries(initial);
  const byId = new Map<string, Workspace>();
  const build = (cfg: TeamConfig) => {
    for (const ws of cfg.workspaces) {
      byId.set(ws.id, createWorkspace({ ...ws, dataDir: cfg.dataDir }));
    }
  };
  build(initial);

  return {
    config: () => config,
    workspace: (id) => byId.get(id),
    workspaces: () => [...byId.values()],
    authenticate(token) {
      const digest = sha256Hex(token);
      let found: Caller | undefined;
      // Compare against every token so the time taken does not say which one matched.
      for (const entry of tokens) {
        if (hexDigestsEqual(entry.digest, digest) && !found) found = entry.caller;
      }
      return found;
    },
    activeTokenCount: () => tokens.length,
    async apply(next) {
      const stale: Workspace[] = [];
      const nextIds = new Set(next.workspaces.map((w) => w.id));
      for (const [id, ws] of byId) {
        const wanted = next.workspaces.find((w) => w.id === id);
        const prev = config.workspaces.find((w) => w.id === id);
        const same = wanted && prev && wanted.root === prev.root && wanted.allowExec === prev.allowExec;
        if (!nextIds.has(id) || !same || next.dataDir !== config.dataDir) {
          stale.push(ws);
          byId.delete(id);
        }
      }
      for (const ws of next.workspaces) {
        if (!byId.has(ws.id)) byId.set(ws.id, createWorkspace({ ...ws, dataDir: next.dataDir }));
      }
      config = next;
      tokens = tokenEntries(next);
      await Promise.all(stale.map((ws) => ws.close()));
    },
    async close() {
      const all = [...byId.values()];
      byId.clear();
      await Promise.all(all.map((ws) => ws.close()));
    },
  };
}
