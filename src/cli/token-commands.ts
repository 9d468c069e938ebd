import { parseScope, SCOPES } from '../auth/scopes.ts';
import { createTokenSecret, sha256Hex } from '../auth/tokens.ts';
import { loadTeamConfig, updateTeamConfigFile } from '../config/team-config.ts';
import type { TeamProfile } from '../config/team-profile.ts';
import { resolveRoleName, tokenScopes } from '../governance/roles.ts';
import { CliError, type CliIo } from './cli-error.ts';

export interface TokenCreateOptions {
  config: string;
  id: string;
  scopes?: string;
  role?: string;
  workspaces?: string;
  /** A preset or TOML profile instead of team.json's `profile`. */
  profile?: string;
}

/**
 * Parses `--scopes a,b` / `--role r` into what team.json stores; roles are the profile's
 * (built-in ones included), and neither option means the profile's default role.
 */
export function parseScopeOptions(
  scopes: string | undefined,
  givenRole: string | undefined,
  profile: TeamProfile,
): { scopes: string[]; role?: string } {
  const roleNames = [...profile.roles.keys()].join(', ');
  const named = givenRole ?? (scopes ? undefined : profile.defaultRole);
  const role = named === undefined ? undefined : (resolveRoleName(named, profile.roles) ?? named);
  if (!scopes && !role) {
    throw new CliError(`give --scopes (${SCOPES.join(',')}) or --role (${roleNames})`, 2);
  }
  const list = (scopes ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const parsed = list.map((s) => {
    const scope = parseScope(s);
    if (!scope) throw new CliError(`unknown scope "${s}"; known scopes: ${SCOPES.join(', ')}`, 2);
    return scope;
  });
  if (role !== undefined && !profile.roles.has(role)) {
    throw new CliError(`unknown role "${role}"; roles of profile ${profile.source}: ${roleNames}`, 2);
  }
  return role ? { scopes: [...new Set(parsed)], role } : { scopes: [...new Set(parsed)] };
}

/** `team token create`: prints only the token on stdout; team.json keeps only its SHA-256. */
export function tokenCreate(opts: TokenCreateOptions, io: CliIo): void {
  const override = { profile: opts.profile };
  const { scopes, role } = parseScopeOptions(
    opts.scopes,
    opts.role,
    loadTeamConfig(opts.config, override).governance,
  );
  const secret = createTokenSecret(opts.id);
  updateTeamConfigFile(
    opts.config,
    (raw) => {
      const tokens = Array.isArray(raw.tokens) ? (raw.tokens as Record<string, unknown>[]) : [];
      if (tokens.some((t) => t.id === opts.id && t.revokedAt === undefined)) {
        throw new CliError(
          `a token with id "${opts.id}" already exists; revoke it first or pick another --id`,
        );
      }
      const entry: Record<string, unknown> = {
        id: opts.id,
        sha256Hex: sha256Hex(secret),
        scopes,
        createdAt: new Date().toISOString(),
      };
      if (role) entry.role = role;
      if (opts.workspaces) entry.workspaces = opts.workspaces.split(',').map((w) => w.trim());
      raw.tokens = [...tokens.filter((t) => t.id !== opts.id), entry];
    },
    override,
  );
  io.out(`${secret}\n`);
}

export function tokenList(opts: { config: string; json?: boolean }, io: CliIo): void {
  const cfg = loadTeamConfig(opts.config);
  const rows = cfg.tokens.map((t) => ({
    id: t.id,
    status: t.revokedAt ? 'revoked' : 'active',
    scopes: [...tokenScopes(t.scopes, t.role, cfg.governance.roles)],
    role: t.role ?? null,
    workspaces: t.workspaces ?? null,
    createdAt: t.createdAt ?? null,
    revokedAt: t.revokedAt ?? null,
  }));
  if (opts.json) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    io.out(
      'no tokens; create one with `lean-ctx team token create --config <file> --id <id> --scopes search`\n',
    );
    return;
  }
  for (const r of rows) {
    const ws = r.workspaces ? ` workspaces=${r.workspaces.join(',')}` : '';
    io.out(`${r.id}\t${r.status}\t${r.scopes.join(',')}${ws}\t${r.createdAt ?? ''}\n`);
  }
}

export function tokenRevoke(opts: { config: string; id: string }, io: CliIo): void {
  let found = false;
  updateTeamConfigFile(opts.config, (raw) => {
    const tokens = Array.isArray(raw.tokens) ? (raw.tokens as Record<string, unknown>[]) : [];
    for (const t of tokens) {
      if (t.id === opts.id && t.revokedAt === undefined) {
        t.revokedAt = new Date().toISOString();
        found = true;
      }
    }
  });
  if (!found) {
    const ids = loadTeamConfig(opts.config).tokens.map((t) => t.id);
    throw new CliError(`no active token with id "${opts.id}"; tokens: ${ids.join(', ') || '(none)'}`);
  }
  io.err(`revoked token "${opts.id}"; a running server stops accepting it at its next config reload\n`);
}
