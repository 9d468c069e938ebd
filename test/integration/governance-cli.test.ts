import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli, type ServingProcess, startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

/** $0.01 per token: one read of README.md costs a few cents, so ci's $0.05 runs out fast. */
const profile = (ciCap: string) => `model = "in-house"
[prices]
"in-house" = 10000
[budget]
max_cost_usd = 100.0
[roles]
default = "developer"
[roles.ci]
scope = "read"
max_cost_usd = ${ciCap}
`;

function teamDir(): { dir: string; config: string; toml: string } {
  const dir = mkdtempSync(join(tmpdir(), 'governance-cli-'));
  const config = join(dir, 'team.json');
  const toml = join(dir, 'team.toml');
  writeFileSync(toml, profile('0.05'));
  writeFileSync(
    config,
    JSON.stringify({
      host: '127.0.0.1',
      port: 0,
      profile: 'team.toml',
      workspaces: [{ id: 'main', root: makeTree(SAMPLE_FILES) }],
      tokens: [],
    }),
  );
  return { dir, config, toml };
}

function createToken(config: string, id: string, ...flags: string[]): string {
  const r = runCli(['team', 'token', 'create', '--config', config, '--id', id, ...flags]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function serve(config: string): Promise<{ serve: ServingProcess; url: string }> {
  const serve = startCli(['team', 'serve', '--config', config]);
  const out = await serve.waitFor(/Tools: \d+ available/);
  return { serve, url: `http://127.0.0.1:${/Team Server - 127\.0\.0\.1:(\d+)/.exec(out)?.[1]}` };
}

async function call(url: string, token: string, name: string, args: Record<string, unknown>) {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, arguments: args }),
  });
  const body = (await res.json()) as { error_code?: string; result?: { content: { text: string }[] } };
  return { status: res.status, code: body.error_code, text: body.result?.content[0]?.text ?? '' };
}

const readme = (url: string, token: string) =>
  call(url, token, 'ctx_read', { path: 'README.md', mode: 'full' });

describe('team profiles with the real CLI', () => {
  test('token create --role takes the profile roles; no role means the default role; an unknown one lists them; --profile picks another profile', () => {
    const { config } = teamDir();
    createToken(config, 'pipeline', '--role', 'ci');
    createToken(config, 'alice');
    const tokens = (JSON.parse(readFileSync(config, 'utf8')) as { tokens: { id: string; role?: string }[] })
      .tokens;
    assert.deepEqual(
      tokens.map((t) => [t.id, t.role]),
      [
        ['pipeline', 'ci'],
        ['alice', 'developer'],
      ],
    );
    const bad = runCli(['team', 'token', 'create', '--config', config, '--id', 'x', '--role', 'auditor']);
    assert.equal(bad.status, 2);
    assert.match(
      bad.stderr,
      /unknown role "auditor"; roles of profile .*team\.toml: viewer, member, developer, admin, owner, ci/,
    );
    // --profile names the profile the server will run with (team serve --profile team)
    createToken(config, 'reviewer', '--role', 'reviewer', '--profile', 'team');
    const list = runCli(['team', 'token', 'list', '--config', config]);
    assert.equal(list.status, 1, 'without that profile the reviewer role is unknown');
    assert.match(list.stderr, /tokens\[2\]\.role: unknown role "reviewer"/);
  });

  test('budget counters and knowledge survive kill -9, and an edited profile applies without a restart', async () => {
    const { config, toml } = teamDir();
    const ci = createToken(config, 'pipeline', '--role', 'ci');
    const dev = createToken(config, 'alice');
    let server = await serve(config);
    try {
      const remembered = await call(server.url, dev, 'ctx_knowledge', {
        action: 'remember',
        category: 'ops',
        key: 'deploy-day',
        value: 'deploys happen on Tuesdays',
      });
      assert.equal(remembered.status, 200, remembered.text);
      let refused = 0;
      for (let i = 0; i < 20 && refused === 0; i++)
        if ((await readme(server.url, ci)).status === 429) refused++;
      assert.equal(refused, 1, 'the ci budget ran out');

      server.serve.child.kill('SIGKILL');
      await server.serve.kill();
      server = await serve(config);
      const again = await readme(server.url, ci);
      assert.deepEqual([again.status, again.code], [429, 'budget_exhausted'], 'the counter survived kill -9');
      const recalled = await call(server.url, dev, 'ctx_knowledge', {
        action: 'recall',
        query: 'when do we deploy',
      });
      assert.match(recalled.text, /\[ops\] deploy-day = "deploys happen on Tuesdays"/);

      writeFileSync(toml, profile('50.0'));
      let status = 0;
      for (let i = 0; i < 100 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await readme(server.url, ci)).status;
      }
      assert.equal(
        status,
        200,
        `the raised cap applies after the profile reloads:\n${server.serve.stderr()}`,
      );
    } finally {
      await server.serve.kill();
    }
  });
});
