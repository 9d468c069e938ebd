import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseTeamConfig } from '../../src/config/team-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'cfg-'));

function problems(raw: unknown): string[] {
  try {
    parseTeamConfig(raw, dir);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  return [];
}

test('defaults follow the seed table', () => {
  const cfg = parseTeamConfig({ workspaces: [{ id: 'main', root: '.' }] }, dir);
  assert.equal(cfg.host, '127.0.0.1');
  assert.equal(cfg.port, 9877);
  assert.equal(cfg.defaultWorkspaceId, 'main');
  assert.equal(cfg.maxBodyBytes, 2_097_152);
  assert.equal(cfg.maxConcurrency, 32);
  assert.equal(cfg.maxRps, 50);
  assert.equal(cfg.rateBurst, 100);
  assert.equal(cfg.requestTimeoutMs, 30_000);
  assert.equal(cfg.disableHostCheck, false);
  assert.deepEqual(cfg.allowedHosts, []);
  assert.ok(Object.isFrozen(cfg));
});

test('every problem is reported with its field path', () => {
  const found = problems({
    port: 70000,
    workspaces: [
      { id: 'a', root: '/no/such/dir' },
      { id: 'a', root: '.' },
    ],
    tokens: [{ id: 't', sha256Hex: 'xyz', scopes: ['search', 'telepathy'] }],
    defaultWorkspaceId: 'b',
    extra: true,
  });
  const text = found.join('\n');
  assert.match(text, /\(top level\): unknown key "extra"/);
  assert.match(text, /port: /);
  assert.match(text, /workspaces\[1\]\.id: duplicate workspace id "a"/);
  assert.match(text, /tokens\[0\]\.sha256Hex: must be 64 lowercase hex/);
  assert.match(text, /tokens\[0\]\.scopes\[1\]: unknown scope "telepathy"/);
  assert.match(text, /defaultWorkspaceId: "b" is not one of the workspaces/);
});

test('a missing root and a token limited to an unknown workspace are refused', () => {
  assert.match(
    problems({ workspaces: [{ id: 'a', root: '/no/such/dir' }] }).join(),
    /workspaces\[0\]\.root: .* is not an existing directory/,
  );
  const hex = 'a'.repeat(64);
  assert.match(
    problems({
      workspaces: [{ id: 'a', root: '.' }],
      tokens: [{ id: 't', sha256Hex: hex, role: 'member', workspaces: ['zz'] }],
    }).join(),
    /tokens\[0\]\.workspaces\[0\]: unknown workspace "zz"/,
  );
  assert.match(problems({ workspaces: [] }).join(), /workspaces: list at least one workspace/);
});

test('governance is validated strictly: a misspelled key or a number as text is refused with its path', () => {
  const base = { workspaces: [{ id: 'main', root: '.' }] };
  const misspelled = problems({ ...base, governance: { budget: { max_context_token: 5 } } }).join('\n');
  assert.match(
    misspelled,
    /governance\.budget: unknown key "max_context_token" \(did you mean "max_context_tokens"\?\)/,
  );
  const asText = problems({ ...base, governance: { budget: { max_context_tokens: '5' } } }).join('\n');
  assert.match(asText, /governance\.budget\.max_context_tokens: .*expected number/);
  const roles = problems({ ...base, governance: { roles: { default: 'nobody' } } }).join('\n');
  assert.match(roles, /governance\.roles\.default: unknown role "nobody"/);
  const typo = problems({ ...base, governance: { budgets: {} } }).join('\n');
  assert.match(
    typo,
    /governance: unknown key "budgets" \(did you mean "budget"\?\); known keys: model, budget, roles, prices/,
  );
  const ok = parseTeamConfig(
    {
      ...base,
      governance: { budget: { max_context_tokens: 5, max_cost_usd: 1 }, roles: { default: 'developer' } },
    },
    dir,
  );
  assert.equal(ok.governance.budget.maxContextTokens, 5);
  assert.equal(ok.governance.budget.maxCostUsd, 1);
  assert.equal(ok.governance.defaultRole, 'developer');
});

test('an unknown key anywhere names the keys accepted there', () => {
  const found = problems({
    workspaces: [{ id: 'main', root: '.', alowExec: true }],
    maxRps: 5,
    maxRPS: 1,
  }).join('\n');
  assert.match(found, /workspaces\[0\]: unknown key "alowExec" \(did you mean "allowExec"\?\)/);
  assert.match(found, /\(top level\): unknown key "maxRPS" \(did you mean "maxRps"\?\)/);
});

test('a workspace root inside the data dir is refused: the data dir is never readable through a workspace', () => {
  const found = problems({ dataDir: '.', workspaces: [{ id: 'main', root: '.' }] }).join('\n');
  assert.match(found, /workspaces\[0\]\.root: .* is inside dataDir/);
});
