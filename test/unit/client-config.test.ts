import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { localDataDir, parseTeamToml, readTeamClientConfig } from '../../src/config/client-config.ts';

test('the [team] table is read with a real TOML parser: escapes, comments and other tables', () => {
  const text = [
    '# developer settings',
    'title = "ignored by us"',
    '[team]',
    'server = "http://team:9877" # the office server',
    "token = 'lctx_t_a\\b'",
    'workspace = "my-\\u0074eam"',
    '[other]',
    'server = "not ours"',
  ].join('\n');
  assert.deepEqual(parseTeamToml(text, 'config.toml'), {
    server: 'http://team:9877',
    token: 'lctx_t_a\\b',
    workspace: 'my-team',
  });
});

test('config.toml errors name the file, the line and what is wrong', () => {
  assert.throws(
    () => parseTeamToml('[team]\nserver = "a"\nserver = "b"\n', 'c.toml'),
    /^ConfigError: c\.toml:3:1: .*redefine/,
  );
  assert.throws(
    () => parseTeamToml('[team]\nserver = "http://x"\ncolour = "red"\n', 'c.toml'),
    /c\.toml: line 3: \[team\]\.colour: unknown key; \[team\] takes server, token, workspace/,
  );
  assert.throws(
    () => parseTeamToml('[team]\ntoken = 42\n', 'c.toml'),
    /line 2: \[team\]\.token: must be a non-empty string/,
  );
  assert.throws(() => parseTeamToml('team = "x"\n', 'c.toml'), /team: must be a table/);
});

test('a team server that is not an http(s) URL is refused, naming where it came from', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'client-config-'));
  assert.throws(
    () => readTeamClientConfig(cwd, { LEANCTX_TEAM_SERVER: 'team:9877', LEANCTX_TEAM_TOKEN: 't' }),
    /LEANCTX_TEAM_SERVER: "team:9877" is not an http\(s\) URL/,
  );
  mkdirSync(join(cwd, '.lean-ctx'));
  writeFileSync(join(cwd, '.lean-ctx', 'config.toml'), '[team]\nserver = "ftp://x/"\ntoken = "t"\n');
  assert.throws(() => readTeamClientConfig(cwd, {}), /config\.toml: \[team\]\.server: "ftp:\/\/x\/" is not/);
  assert.deepEqual(readTeamClientConfig(cwd, { LEANCTX_TEAM_SERVER: 'https://team.example/' }), {
    server: 'https://team.example',
    token: 't',
    workspace: undefined,
  });
});

test('the local data dir is one per real project root, under an absolute XDG_STATE_HOME only', () => {
  const state = mkdtempSync(join(tmpdir(), 'state-'));
  const a = mkdtempSync(join(tmpdir(), 'root-a-'));
  const b = mkdtempSync(join(tmpdir(), 'root-b-'));
  const link = join(mkdtempSync(join(tmpdir(), 'links-')), 'a');
  symlinkSync(a, link);
  const env = { XDG_STATE_HOME: state, HOME: '/nonexistent' };
  assert.match(localDataDir(a, env), new RegExp(`^${state}/leanctx/[0-9a-f]{16}$`));
  assert.notEqual(localDataDir(a, env), localDataDir(b, env));
  assert.equal(localDataDir(link, env), localDataDir(a, env), 'a symlink to a root is that root');
  assert.doesNotMatch(localDataDir(a, { XDG_STATE_HOME: 'relative/state' }), /^relative/);
});
