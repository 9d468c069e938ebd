import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { type BudgetPeriod, budgetSchema } from '../governance/budget.ts';
import { isPresetName, PRESET_PROFILES } from '../governance/presets.ts';
import { DEFAULT_MODEL, MODEL_PRICES } from '../governance/prices.ts';
import { BUILTIN_ROLES, parseRoleScope, type RoleSpec } from '../governance/roles.ts';
import { ConfigError, issueProblems } from './config-error.ts';

const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const roleSchema = z.strictObject({
  scope: z.union([z.string(), z.array(z.string()).min(1, 'list at least one scope')]),
  max_cost_usd: z.number().positive().optional(),
  max_context_tokens: z.number().int().positive().optional(),
  description: z.string().max(200).optional(),
});

const isTable = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `[roles.NAME]`: a valid name, the table's keys, and a scope that names scopes. */
function checkRole(name: string, value: unknown, ctx: z.RefinementCtx): void {
  const at = ['roles', name];
  if (!ROLE_NAME.test(name)) {
    ctx.addIssue({
      code: 'custom',
      path: at,
      message: 'a role name is 1-64 letters, digits, ".", "_" or "-"',
    });
  }
  if (!isTable(value)) {
    ctx.addIssue({
      code: 'custom',
      path: at,
      message:
        '[roles] takes `default = "ROLE"` and [roles.NAME] tables with scope, max_cost_usd, max_context_tokens',
    });
    return;
  }
  const role = roleSchema.safeParse(value);
  for (const issue of role.error?.issues ?? []) ctx.addIssue({ ...issue, path: [...at, ...issue.path] });
  const scope = value.scope;
  const named =
    typeof scope === 'string' || (Array.isArray(scope) && scope.every((x) => typeof x === 'string'));
  const scopes = named ? parseRoleScope(scope) : [];
  if (typeof scopes === 'string') ctx.addIssue({ code: 'custom', path: [...at, 'scope'], message: scopes });
}

/**
 * Roles, the default role and the model's price. It runs even when other keys failed, so
 * one load reports every problem; hence it checks types itself.
 */
function checkRolesAndModel(profile: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const roles = isTable(profile.roles) ? profile.roles : {};
  const defined = new Set(BUILTIN_ROLES.map((r) => r.name));
  for (const [name, value] of Object.entries(roles)) {
    if (name === 'default') continue;
    defined.add(name);
    checkRole(name, value, ctx);
  }
  const fallback = roles.default;
  if (fallback !== undefined && (typeof fallback !== 'string' || !defined.has(fallback))) {
    ctx.addIssue({
      code: 'custom',
      path: ['roles', 'default'],
      message: `unknown role ${JSON.stringify(fallback)}; define [roles.${String(fallback)}] or use one of ${[...defined].join(', ')}`,
    });
  }
  const model = typeof profile.model === 'string' ? profile.model : DEFAULT_MODEL;
  const prices = isTable(profile.prices) ? profile.prices : {};
  if (prices[model] === undefined && MODEL_PRICES[model] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['model'],
      message: `no price for model "${model}"; use one of ${Object.keys(MODEL_PRICES).join(', ')}, or add [prices] "${model}" = USD per million input tokens`,
    });
  }
}

/**
 * A team profile (seed 000/001 "Governance & Budgets"), as a TOML file or team.json's
 * `governance` block: `model`, `[budget]`, `[roles] default`, `[roles.NAME]`, `[prices]`.
 */
export const teamProfileSchema = z
  .strictObject({
    /** Prices what tools serve; a key of MODEL_PRICES or of `[prices]`. */
    model: z.string().min(1).optional(),
    budget: budgetSchema.optional(),
    roles: z.record(z.string(), z.unknown()).optional(),
    /** USD per million input tokens, for models the built-in table lacks or prices differently. */
    prices: z.record(z.string(), z.number().positive()).optional(),
  })
  .superRefine(checkRolesAndModel, { when: ({ value }) => isTable(value) });

export type TeamProfileInput = z.input<typeof teamProfileSchema>;

export interface ProfileBudget {
  maxContextTokens: number | undefined;
  maxCostUsd: number | undefined;
  alertThreshold: number;
  period: BudgetPeriod;
}

/** A validated, frozen team profile. */
export interface TeamProfile {
  /** Where it came from: a file path, `preset "team"`, `team.json governance`, or `none`. */
  source: string;
  /** The TOML file to watch for changes, when it came from one. */
  file: string | undefined;
  model: string;
  usdPerMillionTokens: number;
  budget: ProfileBudget;
  /** Built-in roles and the profile's, by name. */
  roles: ReadonlyMap<string, RoleSpec>;
  /** The role of tokens that name none. */
  defaultRole: string | undefined;
}

/** Validates a profile's parsed value; every problem is reported with its path. */
export function parseTeamProfile(raw: unknown, source: string, file?: string): TeamProfile {
  const result = teamProfileSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(source, issueProblems(result.error, teamProfileSchema));
  const p = result.data;
  const roles = new Map(BUILTIN_ROLES.map((r) => [r.name, r]));
  for (const [name, value] of Object.entries(p.roles ?? {})) {
    if (name === 'default') continue;
    const role = roleSchema.parse(value);
    roles.set(
      name,
      Object.freeze({
        name,
        scopes: Object.freeze(parseRoleScope(role.scope) as RoleSpec['scopes']),
        maxContextTokens: role.max_context_tokens,
        maxCostUsd: role.max_cost_usd,
        origin: source,
      }),
    );
  }
  const model = p.model ?? DEFAULT_MODEL;
  const budget = p.budget ?? budgetSchema.parse({});
  return Object.freeze({
    source,
    file,
    model,
    usdPerMillionTokens: p.prices?.[model] ?? (MODEL_PRICES[model] as number),
    budget: Object.freeze({
      maxContextTokens: budget.max_context_tokens,
      maxCostUsd: budget.max_cost_usd,
      alertThreshold: budget.alert_threshold,
      period: budget.period,
    }),
    roles,
    defaultRole: p.roles?.default as string | undefined,
  });
}

/** Parses TOML text as a profile; a syntax error names its line and column. */
export function parseTeamProfileToml(text: string, source: string, file?: string): TeamProfile {
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const what = err.message.split('\n')[0]?.replace(/^Invalid TOML document: /, '');
    throw new ConfigError(source, [`line ${err.line}, column ${err.column}: ${what}`]);
  }
  return parseTeamProfile(raw, source, file);
}

/** No profile: built-in roles, no limits, costs priced at the default model. */
export const NO_PROFILE: TeamProfile = parseTeamProfile({}, 'none');

const PRESET_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * A profile by reference: a preset name (`solo`, `team`, `ci`, `strict`) or the path of a
 * TOML file, relative to `baseDir`.
 */
export function loadTeamProfile(ref: string, baseDir: string, source = 'profile'): TeamProfile {
  if (isPresetName(ref)) return parseTeamProfileToml(PRESET_PROFILES[ref], `preset "${ref}"`);
  if (PRESET_NAME.test(ref)) {
    throw new ConfigError(source, [
      `"${ref}" is neither a preset (${Object.keys(PRESET_PROFILES).join(', ')}) nor a .toml file path`,
    ]);
  }
  const file = isAbsolute(ref) ? ref : resolve(baseDir, ref);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? 'the file does not exist; create it or fix the path' : String(err);
    throw new ConfigError(source, [`"${file}": ${hint}`]);
  }
  return parseTeamProfileToml(text, file, file);
}

/**
 * The profile a team.json selects: `--profile` over its `profile` (preset or file) over its
 * `governance` block; none of them → NO_PROFILE.
 */
export function resolveTeamProfile(
  cfg: { profile?: string | undefined; governance?: unknown },
  baseDir: string,
  override?: string,
): TeamProfile {
  if (override !== undefined) return loadTeamProfile(override, process.cwd(), '--profile');
  if (cfg.profile !== undefined) return loadTeamProfile(cfg.profile, baseDir, 'profile');
  if (cfg.governance !== undefined) return parseTeamProfile(cfg.governance, 'team.json governance');
  return NO_PROFILE;
}
