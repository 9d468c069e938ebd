import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseScope } from '../../src/auth/scopes.ts';
import { sha256Hex } from '../../src/auth/tokens.ts';
import { parseTeamConfig } from '../../src/config/team-config.ts';
import { runCli, startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

/**
 * A team.json as the original `lean-ctx team token create` saves it (serde, camelCase): every
 * key written, `label: null`, scopes in the lowercase serde spelling, tokens of 64 hex chars.
 */
function originalTeamJson(
  dir: string,
  root: string,
  tokens: { id: string; secret: string; scopes: string[]; role?: string }[],
) {
  return {
    host: '127.0.0.1',
    port: 0,
    defaultWorkspaceId: 'main',
    workspaces: [{ id: 'main', label: null, root }],
    tokens: tokens.map((t) => ({
      id: t.id,
      sha256Hex: sha256Hex(t.secret),
      scopes: t.scopes,
      ...(t.role ? { role: t.role } : {}),
    })),
    auditLogPath: join(dir, 'audit.jsonl'),
    disableHostCheck: false,
    allowedHosts: [],
    maxBodyBytes: 2097152,
    maxConcurrency: 32,
    maxRps: 50,
    rateBurst: 100,
    requestTimeoutMs: 30000,
    statefulMode: false,
    jsonResponse: true,
    connectors: [],
  };
}

const originalSecret = () => randomBytes(32).toString('hex');

describe('a team.json written by the original lean-ctx', () => {
  test('loads as it is, and each key it ignores is named in a notice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orig-cfg-'));
    const root = makeTree(SAMPLE_FILES);
    const raw = {
      ...originalTeamJson(dir, root, [
        { id: 'ci', secret: originalSecret(), scopes: ['search', 'sessionmutations'] },
        { id: 'boss', secret: originalSecret(), scopes: [], role: 'owner' },
      ]),
      storageQuotaBytes: 5_368_709_120,
      roiWebhookUrl: 'https://hooks.example/roi',
    };
    const cfg = parseTeamConfig(raw, dir);
    assert.equal(cfg.workspaces[0]?.label, undefined, 'label: null is no label');
    assert.equal(cfg.storageQuotaBytes, 5_368_709_120);
    assert.deepEqual(cfg.tokens[0]?.scopes, ['search', 'sessionmutations']);
    assert.equal(cfg.tokens[1]?.role, 'owner');
    const ignored = cfg.notices.map((n) => /^"(\w+)" is ignored: .{10,}/.exec(n)?.[1]);
    assert.deepEqual(ignored, ['statefulMode', 'jsonResponse', 'connectors', 'roiWebhookUrl']);
    const withMember = parseTeamConfig(
      {
        ...raw,
        tokens: [...raw.tokens, { id: 'dev', sha256Hex: sha256Hex(originalSecret()), role: 'member' }],
      },
      dir,
    );
    assert.match(withMember.notices.at(-1) ?? '', /token "dev" has role "member".*sessionMutations/);
    const ours = parseTeamConfig({ workspaces: [{ id: 'main', root }] }, dir);
    assert.deepEqual(ours.notices, [], 'a file of ours has no notices');
  });

  test('an unknown key is still refused, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orig-cfg-'));
    const raw = { ...originalTeamJson(dir, makeTree(SAMPLE_FILES), []), statefullMode: true };
    assert.throws(() => parseTeamConfig(raw, dir), /statefullMode/);
  });

  test('the scope spellings the original accepted parse, in any case', () => {
    for (const [name, scope] of [
      ['sessionmutations', 'sessionMutations'],
      ['session_mutations', 'sessionMutations'],
      ['SessionMutations', 'sessionMutations'],
      ['SEARCH', 'search'],
      [' graph ', 'graph'],
      ['Audit', 'audit'],
    ]) {
      assert.equal(parseScope(name as string), scope, name);
    }
    assert.equal(parseScope('session mutations'), undefined);
    assert.equal(parseScope('admin'), undefined, 'a role is not a scope');
  });

  test('`team serve` runs it: the notice on stderr, its 64-hex tokens accepted, `owner` and `sessionmutations` in force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orig-serve-'));
    const viewer = originalSecret();
    const owner = originalSecret();
    const file = join(dir, 'team.json');
    writeFileSync(
      file,
      JSON.stringify(
        originalTeamJson(dir, makeTree(SAMPLE_FILES), [
          { id: 'ci', secret: viewer, scopes: ['search', 'sessionmutations'] },
          { id: 'boss', secret: owner, scopes: [], role: 'owner' },
        ]),
        null,
        2,
      ),
    );
    const proc = startCli(['team', 'serve', '--config', file]);
    try {
      const out = await proc.waitFor(/Team Server - 127\.0\.0\.1:\d+/);
      const port = Number(/Team Server - 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      assert.match(proc.stderr(), /"statefulMode" is ignored/);
      assert.match(proc.stderr(), /"connectors" is ignored/);
      const manifest = async (secret: string) =>
        (await (
          await fetch(`http://127.0.0.1:${port}/v1/manifest`, {
            headers: { authorization: `Bearer ${secret}` },
          })
        ).json()) as { token: { scopes: string[] } };
      assert.deepEqual((await manifest(viewer)).token.scopes.sort(), ['search', 'sessionMutations']);
      const ownerScopes = (await manifest(owner)).token.scopes;
      assert.ok(ownerScopes.includes('audit') && ownerScopes.includes('sessionMutations'), 'owner = admin');
      assert.ok(!ownerScopes.includes('exec'), 'owner, like admin, does not get exec');
    } finally {
      await proc.kill();
    }
  });
});

describe('`lean-ctx team token create` takes the original role set and scope spellings', () => {
  const setup = () => {
    const dir = mkdtempSync(join(tmpdir(), 'orig-cli-'));
    const file = join(dir, 'team.json');
    writeFileSync(file, JSON.stringify(originalTeamJson(dir, makeTree(SAMPLE_FILES), []), null, 2));
    return file;
  };
  const tokens = (file: string) =>
    (JSON.parse(readFileSync(file, 'utf8')) as { tokens: { id: string; role?: string; scopes: string[] }[] })
      .tokens;

  test('--role owner, and the aliases readonly / contributor in any case', () => {
    const file = setup();
    for (const [id, role] of [
      ['o', 'owner'],
      ['r', 'READONLY'],
      ['c', 'Contributor'],
      ['w', 'write'],
    ]) {
      const res = runCli([
        'team',
        'token',
        'create',
        '--config',
        file,
        '--id',
        id as string,
        '--role',
        role as string,
      ]);
      assert.equal(res.status, 0, res.stderr);
      assert.match(res.stdout, /^lctx_t_\S+\n$/);
    }
    assert.deepEqual(
      tokens(file).map((t) => [t.id, t.role]),
      [
        ['o', 'owner'],
        ['r', 'viewer'],
        ['c', 'member'],
        ['w', 'member'],
      ],
    );
    const list = runCli(['team', 'token', 'list', '--config', file, '--json']);
    const rows = JSON.parse(list.stdout) as { id: string; scopes: string[] }[];
    assert.ok(rows.find((r) => r.id === 'o')?.scopes.includes('audit'));
    assert.deepEqual(rows.find((r) => r.id === 'r')?.scopes, ['search']);
    const bad = runCli(['team', 'token', 'create', '--config', file, '--id', 'x', '--role', 'superuser']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown role "superuser".*owner/);
  });

  test('--scope (the original spelling of --scopes) with session_mutations and upper case', () => {
    const file = setup();
    const res = runCli([
      'team',
      'token',
      'create',
      '--config',
      file,
      '--id',
      'ci',
      '--scope',
      'SEARCH,session_mutations',
    ]);
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(tokens(file)[0]?.scopes, ['search', 'sessionMutations']);
    const file2 = setup();
    const eq = runCli([
      'team',
      'token',
      'create',
      '--config',
      file2,
      '--id',
      'ci',
      '--scopes=graph,sessionmutations',
    ]);
    assert.equal(eq.status, 0, eq.stderr);
    assert.deepEqual(tokens(file2)[0]?.scopes, ['graph', 'sessionMutations']);
  });
});
