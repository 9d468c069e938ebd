import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sha256Hex } from '../../src/auth/tokens.ts';
import { runCli, type ServingProcess, startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

const SEED_SCOPES = 'search,graph,artifacts,index,events,sessionMutations,knowledge';

function seedConfig(dir: string, root: string): string {
  const path = join(dir, 'team.json');
  writeFileSync(
    path,
    JSON.stringify(
      {
        host: '127.0.0.1',
        port: 0,
        defaultWorkspaceId: 'main',
        auditLogPath: join(dir, 'audit.log'),
        workspaces: [{ id: 'main', label: 'Main Project', root }],
        tokens: [],
      },
      null,
      2,
    ),
  );
  return path;
}

function gitRepo(): string {
  const root = makeTree(SAMPLE_FILES);
  execFileSync('git', ['init', '-q'], { cwd: root });
  return root;
}

async function waitUntil(check: () => Promise<boolean>, what: string, serve: ServingProcess): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ok = await check().catch((err: Error) => {
      assert.fail(`${what}: ${err.message}; server output:\n${serve.stdout()}\n${serve.stderr()}`);
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never happened: ${what}; server output:\n${serve.stdout()}\n${serve.stderr()}`);
}

describe("the seed's quickstart, with the real CLI", () => {
  test('token create → team serve → health, manifest, ctx_tree, ctx_read; reload, revoke and SIGHUP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'quickstart-'));
    const config = seedConfig(dir, gitRepo());

    const created = runCli([
      'team',
      'token',
      'create',
      '--config',
      config,
      '--id',
      'dev-alice',
      '--scopes',
      SEED_SCOPES,
    ]);
    assert.equal(created.status, 0, created.stderr);
    const lines = created.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1, 'only the token on stdout');
    const token = lines[0] as string;
    assert.match(token, /^lctx_t_dev-alice_[A-Za-z0-9_-]{43}$/);
    const stored = readFileSync(config, 'utf8');
    assert.ok(!stored.includes(token), 'the plaintext is not stored');
    assert.ok(stored.includes(sha256Hex(token)));

    const serve = startCli(['team', 'serve', '--config', config]);
    try {
      const out = await serve.waitFor(/Tools: \d+ available/);
      const port = Number(/Team Server - 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      assert.ok(port > 0);
      assert.match(out, /Workspaces: 1 \(main\)/);
      assert.match(out, /Tokens: 1 active/);
      const base = `http://127.0.0.1:${port}`;
      const auth = { authorization: `Bearer ${token}` };

      assert.equal((await (await fetch(`${base}/health`)).text()).trim(), 'ok');
      assert.equal(((await (await fetch(`${base}/healthz`)).json()) as { status: string }).status, 'ok');
      const manifest = (await (await fetch(`${base}/v1/manifest`, { headers: auth })).json()) as {
        tools: { name: string }[];
      };
      assert.ok(manifest.tools.some((t) => t.name === 'ctx_tree'));

      const tree = await fetch(`${base}/v1/tools/call`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ctx_tree', arguments: { path: '.', depth: 2 } }),
      });
      assert.equal(tree.status, 200);
      const treeText = ((await tree.json()) as { result: { content: { text: string }[] } }).result.content[0]
        ?.text;
      assert.match(treeText ?? '', /src\/ \(2\)/);
      assert.doesNotMatch(treeText ?? '', /dist/, '.gitignore is honoured');

      const read = await fetch(`${base}/v1/tools/call`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json', 'x-leanctx-workspace': 'main' },
        body: JSON.stringify({ name: 'ctx_read', arguments: { path: 'src/index.ts', mode: 'full' } }),
      });
      const readText = ((await read.json()) as { result: { content: { text: string }[] } }).result.content[0]
        ?.text;
      assert.ok(readText?.includes('export function main(): number'));

      // A token created while the server runs works without a restart.
      const bob = runCli([
        'team',
        'token',
        'create',
        '--config',
        config,
        '--id',
        'bob',
        '--role',
        'viewer',
      ]).stdout.trim();
      await waitUntil(
        async () =>
          (await fetch(`${base}/v1/manifest`, { headers: { authorization: `Bearer ${bob}` } })).status ===
          200,
        'new token accepted after the file changed',
        serve,
      );

      // A revoked token stops working without a restart.
      assert.equal(runCli(['team', 'token', 'revoke', '--config', config, '--id', 'dev-alice']).status, 0);
      await waitUntil(
        async () => (await fetch(`${base}/v1/manifest`, { headers: auth })).status === 401,
        'revoked token refused',
        serve,
      );

      // An invalid file is refused; the running config keeps serving, also after SIGHUP.
      const good = readFileSync(config, 'utf8');
      writeFileSync(config, '{"workspaces": [], "bogus": 1}');
      serve.child.kill('SIGHUP');
      await serve.waitFor(/reload refused/);
      const still = await fetch(`${base}/v1/manifest`, { headers: { authorization: `Bearer ${bob}` } });
      assert.equal(still.status, 200);
      writeFileSync(config, good);
      serve.child.kill('SIGHUP');
      await serve.waitFor(/config reloaded/);

      const audit = readFileSync(join(dir, 'audit.log'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const treeLine = audit.find((e) => e.tool === 'ctx_tree');
      assert.equal(treeLine.tokenId, 'dev-alice');
      assert.match(treeLine.argumentsMd5, /^[0-9a-f]{32}$/);
      assert.ok(!JSON.stringify(audit).includes(token), 'no token in the audit log');
      assert.ok(!JSON.stringify(audit).includes('"depth"'), 'no raw arguments in the audit log');
    } finally {
      assert.equal(await serve.kill('SIGTERM'), 0);
    }
  });

  test('bad team.json is refused at start with the field path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'badconfig-'));
    const path = join(dir, 'team.json');
    writeFileSync(
      path,
      JSON.stringify({
        defaultWorkspaceId: 'nope',
        workspaces: [
          { id: 'a', root: '/definitely/missing' },
          { id: 'a', root: dir },
        ],
        colour: 'blue',
      }),
    );
    const r = runCli(['team', 'serve', '--config', path]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /unknown key "colour"/);
    assert.match(r.stderr, /workspaces\[1\]\.id: duplicate workspace id "a"/);
    assert.match(r.stderr, /defaultWorkspaceId: "nope" is not one of the workspaces/);
  });

  test('usage errors exit 2 and every command has --help', () => {
    assert.equal(runCli(['team', 'token', 'create', '--config', 'x.json']).status, 2);
    assert.equal(runCli(['nonsense']).status, 2);
    for (const cmd of [[], ['team'], ['team', 'token', 'create'], ['team', 'serve'], ['serve'], ['mcp']]) {
      const r = runCli([...cmd, '--help']);
      assert.equal(r.status, 0, `lean-ctx ${cmd.join(' ')} --help`);
      assert.match(r.stdout, /Usage: lean-ctx/);
    }
  });

  test('the Docker form creates its config in the data dir and prints an admin token once', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'docker-form-')), 'team-data');
    const serve = startCli([
      'serve',
      '--team',
      '--bind',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--workspace',
      gitRepo(),
    ]);
    try {
      const out = await serve.waitFor(/Tools: \d+ available/);
      const token = /^(lctx_t_admin_\S+)$/m.exec(serve.stdout())?.[1];
      assert.ok(token, 'admin token printed');
      const port = Number(/Team Server - 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      const healthz = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as Record<
        string,
        string
      >;
      assert.equal(healthz.status, 'ok');
      assert.match(healthz.version ?? '', /^\d+\.\d+\.\d+/);
      assert.match(healthz.uptime ?? '', /^\d+s$/);
      const manifest = await fetch(`http://127.0.0.1:${port}/v1/manifest`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(manifest.status, 200);
    } finally {
      await serve.kill();
    }
    const again = startCli(['serve', '--team', '--data-dir', dataDir]);
    try {
      await again.waitFor(/Tools: \d+ available/);
      assert.doesNotMatch(again.stdout(), /lctx_t_admin_/, 'the token is shown only on first start');
    } finally {
      await again.kill();
    }
  });
});
