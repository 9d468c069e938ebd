import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../src/config/config-error.ts';
import { parseTeamConfig } from '../../src/config/team-config.ts';
import { loadTeamProfile, parseTeamProfileToml } from '../../src/config/team-profile.ts';
import { PRESET_PROFILES } from '../../src/governance/presets.ts';

const dir = mkdtempSync(join(tmpdir(), 'profile-'));

/** The seed's "Governance & Budgets" block, verbatim. */
const SEED_PROFILE = `[budget]
max_context_tokens = 200000
max_cost_usd = 5.0
alert_threshold = 0.8
[roles]
default = "developer"
[roles.ci]
scope = "read"
max_cost_usd = 1.0
`;

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

const tomlProblems = (text: string) => problemsOf(() => parseTeamProfileToml(text, 'team.toml'));

test("the seed's profile loads as written: budget, default role, a read-only ci role with its own cost cap", () => {
  const p = parseTeamProfileToml(SEED_PROFILE, 'team.toml');
  assert.deepEqual(p.budget, {
    maxContextTokens: 200_000,
    maxCostUsd: 5,
    alertThreshold: 0.8,
    period: 'day',
  });
  assert.equal(p.defaultRole, 'developer');
  assert.deepEqual(p.roles.get('ci')?.scopes, ['search']);
  assert.equal(p.roles.get('ci')?.maxCostUsd, 1);
  assert.ok(p.roles.get('developer')?.scopes.includes('knowledge'));
  assert.equal(p.model, 'claude-sonnet-4');
  assert.equal(p.usdPerMillionTokens, 3);
});

test('every key of a profile is checked, and each problem names its path', () => {
  const problems = tomlProblems(`model = "gpt-9"
[budget]
max_cost_usd = "5"
max_context_token = 1000
alert_threshold = 1.5
[roles]
default = "nobody"
[roles.ci]
scope = "reader"
max_cost_usd = -1
[roles.bot]
scope = ["search", "fly"]
`);
  const expected = [
    /^model: no price for model "gpt-9"; use one of .*claude-sonnet-4.*or add \[prices\] "gpt-9"/,
    /^budget: unknown key "max_context_token" \(did you mean "max_context_tokens"\?\); known keys: max_context_tokens, max_cost_usd, alert_threshold, period$/,
    /^budget\.max_cost_usd: .*expected number/,
    /^budget\.alert_threshold: .*1/,
    /^roles\.default: unknown role "nobody"; define \[roles\.nobody\] or use one of .*ci, bot/,
    /^roles\.ci\.scope: unknown scope set "reader"; use read, write, admin or a list of scopes/,
    /^roles\.ci\.max_cost_usd: /,
    /^roles\.bot\.scope: unknown scope "fly"/,
  ];
  for (const re of expected)
    assert.ok(
      problems.some((p) => re.test(p)),
      `${re} in:\n${problems.join('\n')}`,
    );
  assert.equal(problems.length, expected.length, problems.join('\n'));
});

test('a TOML syntax error names the line and column', () => {
  const [problem] = tomlProblems('[budget]\nmax_cost_usd = 5\nmax_cost_usd = 6\n');
  assert.match(problem ?? '', /^line 3, column 1: /);
});

test('a misspelled governance key in team.json is refused instead of switching the budget off', () => {
  const problems = problemsOf(() =>
    parseTeamConfig(
      { workspaces: [{ id: 'main', root: '.' }], governance: { budget: { max_context_token: 5 } } },
      dir,
    ),
  );
  assert.equal(problems.length, 1);
  assert.match(
    problems[0] ?? '',
    /^governance\.budget: unknown key "max_context_token" \(did you mean "max_context_tokens"\?\)/,
  );
});

test('each preset is selectable by name from team.json and from --profile', () => {
  for (const name of Object.keys(PRESET_PROFILES)) {
    const cfg = parseTeamConfig({ workspaces: [{ id: 'main', root: '.' }], profile: name }, dir);
    assert.equal(cfg.governance.source, `preset "${name}"`);
    assert.ok(cfg.governance.defaultRole, name);
  }
  const strict = parseTeamConfig(
    { workspaces: [{ id: 'main', root: '.' }], profile: 'solo' },
    dir,
    'team.json',
    undefined,
    {
      profile: 'strict',
    },
  ).governance;
  assert.equal(strict.source, 'preset "strict"');
  assert.equal(strict.defaultRole, 'viewer');
  assert.equal(strict.budget.alertThreshold, 0.5);
  const [problem] = problemsOf(() => loadTeamProfile('enterprise', dir));
  assert.match(
    problem ?? '',
    /"enterprise" is neither a preset \(solo, team, ci, strict\) nor a \.toml file path/,
  );
});

test('a profile file is read relative to team.json, and token roles are checked against it', () => {
  writeFileSync(join(dir, 'team.toml'), SEED_PROFILE);
  const token = { id: 'bot', sha256Hex: 'a'.repeat(64), role: 'ci' };
  const cfg = parseTeamConfig(
    { workspaces: [{ id: 'main', root: '.' }], profile: 'team.toml', tokens: [token] },
    dir,
  );
  assert.equal(cfg.governance.file, join(dir, 'team.toml'));
  assert.equal(cfg.governance.roles.get('ci')?.maxCostUsd, 1);
  const problems = problemsOf(() =>
    parseTeamConfig({ workspaces: [{ id: 'main', root: '.' }], tokens: [token] }, dir),
  );
  assert.equal(problems.length, 1);
  assert.match(
    problems[0] ?? '',
    /^tokens\[0\]\.role: unknown role "ci"; roles: viewer, member, developer, admin/,
  );
  const missing = problemsOf(() =>
    parseTeamConfig({ workspaces: [{ id: 'main', root: '.' }], profile: 'nope.toml' }, dir),
  );
  assert.match(missing[0] ?? '', /nope\.toml": the file does not exist/);
});

test('a profile and an inline governance block together are refused', () => {
  const problems = problemsOf(() =>
    parseTeamConfig({ workspaces: [{ id: 'main', root: '.' }], profile: 'team', governance: {} }, dir),
  );
  assert.deepEqual(problems, [
    'governance: give either "profile" (a preset or a TOML file) or an inline "governance" block, not both',
  ]);
});

test('[prices] prices a model the built-in table lacks', () => {
  const p = parseTeamProfileToml('model = "in-house"\n[prices]\n"in-house" = 0.5\n', 'team.toml');
  assert.equal(p.usdPerMillionTokens, 0.5);
});
