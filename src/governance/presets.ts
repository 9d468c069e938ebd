/**
 * Preset team profiles, selectable by name (`"profile": "team"` in team.json or
 * `--profile team`). They are TOML like a profile file and go through the same validation.
 */
export const PRESET_PROFILES = {
  /** One developer on their own machine: every scope, a daily cost cap as a seat belt. */
  solo: `
[budget]
max_cost_usd = 20.0
alert_threshold = 0.9

[roles]
default = "admin"
`,
  /** The seed's example: developers write, CI reads, each token capped per day. */
  team: `
[budget]
max_context_tokens = 200000
max_cost_usd = 5.0
alert_threshold = 0.8

[roles]
default = "developer"

[roles.ci]
scope = "read"
max_cost_usd = 1.0

[roles.reviewer]
scope = ["search", "graph", "events"]
max_cost_usd = 2.0
`,
  /** Pipelines: read-only by default, small caps. */
  ci: `
[budget]
max_context_tokens = 100000
max_cost_usd = 1.0
alert_threshold = 0.8

[roles]
default = "ci"

[roles.ci]
scope = ["search", "graph"]
`,
  /** Read-only unless a token is given a role, early alerts, small caps. */
  strict: `
[budget]
max_context_tokens = 50000
max_cost_usd = 1.0
alert_threshold = 0.5

[roles]
default = "viewer"

[roles.developer]
scope = "write"
max_context_tokens = 100000
max_cost_usd = 2.0
`,
} as const;

export type PresetName = keyof typeof PRESET_PROFILES;

export const isPresetName = (name: string): name is PresetName => Object.hasOwn(PRESET_PROFILES, name);
