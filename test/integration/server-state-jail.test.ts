import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

interface CallResult {
  isError?: boolean;
  content: { type: string; text?: string }[];
}

describe("the server's own state is never readable through a workspace", () => {
  test('the Docker form run in the project folder: team.json, the audit log and the database stay out of every tool', async () => {
    const project = makeTree({ ...SAMPLE_FILES, 'src/secretless.ts': 'export const note = "requestId";\n' });
    const serve = startCli(['serve', '--team', '--bind', '127.0.0.1:0', '--data-dir', './team-data'], {
      cwd: project,
    });
    try {
      const out = await serve.waitFor(/Tools: \d+ available/);
      const token = /^(lctx_t_admin_\S+)$/m.exec(serve.stdout())?.[1] as string;
      const port = Number(/Team Server - 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      symlinkSync(join(project, 'team-data'), join(project, 'state-link'));
      const call = async (name: string, args: Record<string, unknown>): Promise<CallResult> => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/tools/call`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name, arguments: args }),
        });
        assert.equal(res.status, 200, await res.clone().text());
        return ((await res.json()) as { result: CallResult }).result;
      };
      const text = (r: CallResult) => r.content.map((c) => c.text ?? '').join('\n');
      // A few calls so the audit log and the database have lines to leak.
      await call('ctx_tree', {});
      for (const path of [
        'team-data/team.json',
        'team-data/audit.log',
        'team-data/leanctx.db',
        './team-data/../team-data/team.json',
        join(project, 'team-data', 'team.json'),
        'state-link/team.json',
      ]) {
        const read = await call('ctx_read', { path });
        assert.equal(read.isError, true, `ctx_read ${path}: ${text(read).slice(0, 200)}`);
        assert.match(text(read), /server's own state/);
      }
      for (const path of ['team-data', 'state-link']) {
        assert.equal((await call('ctx_tree', { path })).isError, true);
        assert.equal((await call('ctx_search', { pattern: 'sha256Hex', path })).isError, true);
      }
      for (const ignore_gitignore of [false, true]) {
        const hits = text(await call('ctx_search', { pattern: 'sha256Hex|argumentsMd5', ignore_gitignore }));
        assert.match(hits, /^0 matches/, hits);
      }
      const scoped = text(await call('ctx_search', { pattern: 'requestId' }));
      assert.match(scoped, /src\/secretless\.ts/);
      assert.doesNotMatch(scoped, /team-data/);
      const tree = text(await call('ctx_tree', { depth: 6, show_hidden: true }));
      assert.doesNotMatch(tree, /team-data|team\.json|audit\.log/);
      const overview = text(await call('ctx_overview', {}));
      assert.doesNotMatch(overview, /team-data/);
      const semantic = text(await call('ctx_semantic_search', { query: 'sha256Hex admin token role' }));
      assert.doesNotMatch(semantic, /team-data/);
    } finally {
      await serve.kill();
    }
  });

  test('an audit log and data dir inside a workspace root are excluded, with a custom data dir too', async () => {
    const files = { ...SAMPLE_FILES, 'logs/keep.txt': 'a log the team wants\n' };
    const srv = await startTestServer({ files });
    try {
      // Point the audit log and data dir into the workspace, as a careless team.json would.
      const cfg = srv.server.deps.state.config();
      mkdirSync(join(srv.root, 'logs'), { recursive: true });
      await srv.server.reload({
        ...cfg,
        auditLogPath: join(srv.root, 'logs', 'audit.jsonl'),
        dataDir: join(srv.root, '.state'),
      });
      const call = async (name: string, args: Record<string, unknown>) => {
        const res = await fetch(`${srv.url}/v1/tools/call`, {
          method: 'POST',
          headers: { authorization: `Bearer ${srv.tokens.alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name, arguments: args }),
        });
        return ((await res.json()) as { result: CallResult }).result;
      };
      await call('ctx_tree', {});
      writeFileSync(join(srv.root, 'logs', 'audit.jsonl.1'), '{"requestId":"rotated"}\n');
      assert.equal((await call('ctx_read', { path: 'logs/audit.jsonl' })).isError, true);
      assert.equal((await call('ctx_read', { path: 'logs/audit.jsonl.1' })).isError, true);
      assert.notEqual((await call('ctx_read', { path: 'logs/keep.txt' })).isError, true);
      const hits = (await call('ctx_search', { pattern: 'requestId', ignore_gitignore: true })).content[0]
        ?.text;
      assert.match(hits ?? '', /^0 matches/);
      const tree = (await call('ctx_tree', { path: 'logs', show_hidden: true })).content[0]?.text ?? '';
      assert.match(tree, /keep\.txt/);
      assert.doesNotMatch(tree, /audit/);
    } finally {
      await srv.close();
    }
  });

  test('credential files are refused by ctx_read and skipped by ctx_search', async () => {
    const srv = await startTestServer({
      files: {
        ...SAMPLE_FILES,
        '.aws/credentials': 'aws_secret_access_key = LEAKME\n',
        credentials: 'LEAKME\n',
        '.pgpass': 'db:5432:*:user:LEAKME\n',
        '.kube/config': 'token: LEAKME\n',
        '.docker/config.json': '{"auths":{"x":{"auth":"LEAKME"}}}\n',
        'terraform.tfstate': '{"secret":"LEAKME"}\n',
        'src/config.ts': 'export const ok = "not a secret";\n',
      },
    });
    try {
      for (const path of [
        '.aws/credentials',
        'credentials',
        '.pgpass',
        '.kube/config',
        '.docker/config.json',
        'terraform.tfstate',
      ]) {
        const res = await fetch(`${srv.url}/v1/tools/call`, {
          method: 'POST',
          headers: { authorization: `Bearer ${srv.tokens.alice}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'ctx_read', arguments: { path } }),
        });
        const { result } = (await res.json()) as { result: CallResult };
        assert.equal(result.isError, true, `ctx_read ${path}`);
        assert.doesNotMatch(JSON.stringify(result), /LEAKME/);
      }
      const res = await fetch(`${srv.url}/v1/tools/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${srv.tokens.alice}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'ctx_search',
          arguments: { pattern: 'LEAKME|not a secret', ignore_gitignore: true },
        }),
      });
      const text = JSON.stringify(await res.json());
      assert.doesNotMatch(text, /LEAKME/);
      assert.match(text, /src\/config\.ts/, 'an ordinary file named config is still searched');
    } finally {
      await srv.close();
    }
  });
});
