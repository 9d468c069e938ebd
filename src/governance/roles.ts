import { parseScope, ROLES, SCOPES, type Scope } from '../auth/scopes.ts';

/** A role's `scope` in a profile: `read`, `write`, `admin`, or a list of scope names. */
export const SCOPE_SETS = {
  read: ROLES.viewer,
  write: ROLES.member,
  admin: ROLES.admin,
} as const satisfies Record<string, readonly Scope[]>;

export type ScopeSetName = keyof typeof SCOPE_SETS;

/** A named scope set with optional per-role budget limits. */
export interface RoleSpec {
  name: string;
  scopes: readonly Scope[];
  maxContextTokens: number | undefined;
  maxCostUsd: number | undefined;
  /** `builtin`, or the profile that defines it. */
  origin: string;
}

const builtin = (name: string, set: ScopeSetName): RoleSpec =>
  Object.freeze({
    name,
    scopes: SCOPE_SETS[set],
    maxContextTokens: undefined,
    maxCostUsd: undefined,
    origin: 'builtin',
  });

/**
 * Roles every server knows; `developer` is the seed's default role name, `owner` the original
 * lean-ctx's (its server scopes are admin's). A profile may redefine them.
 */
export const BUILTIN_ROLES: readonly RoleSpec[] = [
  builtin('viewer', 'read'),
  builtin('member', 'write'),
  builtin('developer', 'write'),
  builtin('admin', 'admin'),
  builtin('owner', 'admin'),
];

/** The other names the original `lean-ctx team token create --role` took. */
const ROLE_ALIASES: Readonly<Record<string, string>> = {
  read: 'viewer',
  readonly: 'viewer',
  contributor: 'member',
  write: 'member',
};

/**
 * The role a name means: a role of that exact name, else one whose name matches in another
 * case, else the original CLI's alias (`readonly` → viewer); undefined when none.
 */
export function resolveRoleName(name: string, roles: ReadonlyMap<string, RoleSpec>): string | undefined {
  const trimmed = name.trim();
  if (roles.has(trimmed)) return trimmed;
  const lower = trimmed.toLowerCase();
  const sameName = [...roles.keys()].find((r) => r.toLowerCase() === lower);
  if (sameName) return sameName;
  const alias = ROLE_ALIASES[lower];
  return alias !== undefined && roles.has(alias) ? alias : undefined;
}

/**
 * The scopes a role's `scope` names, or the reason it names none: a scope-set name, one
 * scope name, or a list of scope names.
 */
export function parseRoleScope(spec: string | readonly string[]): Scope[] | string {
  if (typeof spec === 'string') {
    if (Object.hasOwn(SCOPE_SETS, spec)) return [...SCOPE_SETS[spec as ScopeSetName]];
    const one = parseScope(spec);
    if (one) return [one];
    return `unknown scope set "${spec}"; use read, write, admin or a list of scopes (${SCOPES.join(', ')})`;
  }
  const out = new Set<Scope>();
  for (const name of spec) {
    const scope = parseScope(name);
    if (!scope) return `unknown scope "${name}"; known scopes: ${SCOPES.join(', ')}`;
    out.add(scope);
  }
  return [...out];
}

/** A token's effective scopes: its explicit scopes joined with its role's. */
export function tokenScopes(
  scopes: readonly string[],
  role: string | undefined,
  roles: ReadonlyMap<string, RoleSpec>,
): Set<Scope> {
  const out = new Set<Scope>();
  for (const s of scopes) {
    const parsed = parseScope(s);
    if (parsed) out.add(parsed);
  }
  if (role) for (const s of roles.get(role)?.scopes ?? []) out.add(s);
  return out;
}
