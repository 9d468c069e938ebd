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

/** Lowercased names and the original's spellings: its team.json says `sessionmutations`. */
const SCOPE_SPELLINGS: ReadonlyMap<string, Scope> = new Map<string, Scope>([
  ...SCOPES.map((s) => [s.toLowerCase(), s] as const),
  ['session_mutations', 'sessionMutations'],
  ['session-mutations', 'sessionMutations'],
]);

/** Parses one scope name in any case, accepting the spellings the original CLI accepted. */
export function parseScope(name: string): Scope | undefined {
  return SCOPE_SPELLINGS.get(name.trim().toLowerCase());
}
