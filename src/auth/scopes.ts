/** Scopes a token can hold (seed 000/001), plus `gateway` and `exec` (ours). */
export const SCOPES = [
  'search',
  'graph',
  'artifacts',
  'index',
  'events',
  'sessionMutations',
  'knowledge',
  'audit',
  'gateway',
  'exec',
] as const;

export type Scope = (typeof SCOPES)[number];

/** Roles are named scope sets; `--role` is the short form of `--scopes`. */
export const ROLES = {
  viewer: ['search'],
  member: ['search', 'graph', 'index', 'knowledge', 'events', 'sessionMutations'],
  admin: SCOPES.filter((s) => s !== 'exec'),
} as const satisfies Record<string, readonly Scope[]>;

export type Role = keyof typeof ROLES;

const SCOPE_ALIASES: Record<string, Scope> = {
  sessionmutations: 'sessionMutations',
  session_mutations: 'sessionMutations',
  'session-mutations': 'sessionMutations',
};

/** Parses one scope name, accepting the spellings the original CLI accepted. */
export function parseScope(name: string): Scope | undefined {
  const trimmed = name.trim();
  if ((SCOPES as readonly string[]).includes(trimmed)) return trimmed as Scope;
  return SCOPE_ALIASES[trimmed.toLowerCase()];
}

export function isRole(name: string): name is Role {
  return Object.hasOwn(ROLES, name);
}

/** A token's effective scopes: its explicit scopes joined with its role's. */
export function effectiveScopes(scopes: readonly string[], role?: string): Set<Scope> {
  const out = new Set<Scope>();
  for (const s of scopes) {
    const parsed = parseScope(s);
    if (parsed) out.add(parsed);
  }
  if (role && isRole(role)) for (const s of ROLES[role]) out.add(s);
  return out;
}
