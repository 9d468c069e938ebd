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
