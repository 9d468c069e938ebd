import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

/** A monorepo: two packages, each with its own `query`, and the web package importing api's. */
const FILES: Record<string, string> = {
  'packages/api/src/db.ts': 'export function query(sql: string): string[] {\n  return [sql];\n}\n',
  'packages/api/src/users.ts':
    "import { query } from './db';\n\nexport function listUsers(): string[] {\n  return query('select * from users');\n}\n",
  'packages/api/test/users.test.ts': "import { listUsers } from '../src/users';\n\nlistUsers();\n",
  'packages/web/src/db.ts': 'export function query(key: string): string {\n  return key;\n}\n',
  'packages/web/src/app.ts':
    "import { query } from '../../api/src/db';\n\nexport const render = () => query('select 1').length;\n",
  'README.md': '# monorepo\n',
};

const git = (root: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=T', '-c', 'user.email=t@example.com', ...args], {
    cwd: root,
    encoding: 'utf8',
  });

async function errorText(
  srv: RunningTestServer,
  name: string,
  args: Record<string, unknown>,
): Promise<string> {
  const res = await callTool(srv, 'alice', { name, arguments: args });
  const body = (await res.json()) as { result?: { isError?: boolean; content: { text: string }[] } };
  assert.equal(body.result?.isError, true, JSON.stringify(body));
  return body.result?.content[0]?.text ?? '';
}

describe('root / project_root scope the graph tools to a sub-directory of the workspace', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({ files: FILES });
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'secret.ts'), 'export const secret = 1;\n');
    symlinkSync(outside, join(srv.root, 'packages', 'escape'));
  });
  after(() => srv.close());

  test('ctx_index and ctx_graph count only the files under the project root', async () => {
    const whole = await callToolText(srv, 'alice', 'ctx_index', { action: 'build' });
    assert.match(whole, /Code graph: 5 files/);
    const api = await callToolText(srv, 'alice', 'ctx_index', {
      action: 'build',
      project_root: 'packages/api',
    });
    assert.match(api, /Code graph: 3 files/);
    const status = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'status',
      project_root: 'packages/web/',
    });
    assert.match(status, /Code graph: 2 files/);
    // the root itself is the whole workspace
    assert.match(await callToolText(srv, 'alice', 'ctx_index', { project_root: '.' }), /Code graph: 5 files/);
  });

  test('ctx_impact within a project root names paths relative to it and leaves other packages out', async () => {
    const whole = await callToolText(srv, 'alice', 'ctx_impact', { path: 'packages/api/src/db.ts' });
    assert.match(whole, /packages\/web\/src\/app\.ts:1 \(1 hop\)/);
    assert.match(whole, /packages\/api\/src\/users\.ts:1 \(1 hop\)/);
    const api = await callToolText(srv, 'alice', 'ctx_impact', { path: 'src/db.ts', root: 'packages/api' });
    assert.match(api, /^2 file\(s\) depend on src\/db\.ts/);
    assert.match(api, /^ {2}src\/users\.ts:1 \(1 hop\)$/m);
    assert.match(api, /^ {2}test\/users\.test\.ts:1 \(2 hops, via src\/users\.ts\)$/m);
    assert.doesNotMatch(api, /web/);
    const json = JSON.parse(
      await callToolText(srv, 'alice', 'ctx_impact', {
        path: 'src/db.ts',
        root: 'packages/api',
        format: 'json',
      }),
    ) as { path: string; total: number };
    assert.deepEqual([json.path, json.total], ['src/db.ts', 2]);
  });

  test('ctx_graph symbol, ctx_architecture and ctx_smells see only the project root', async () => {
    const both = await callToolText(srv, 'alice', 'ctx_graph', { action: 'symbol', path: 'query' });
    assert.match(both, /packages\/api\/src\/db\.ts/);
    assert.match(both, /packages\/web\/src\/db\.ts/);
    const web = await callToolText(srv, 'alice', 'ctx_graph', {
      action: 'symbol',
      path: 'query',
      project_root: 'packages/web',
    });
    assert.match(web, /src\/db\.ts/);
    assert.doesNotMatch(web, /packages\/|api/);
    const arch = JSON.parse(
      await callToolText(srv, 'alice', 'ctx_architecture', {
        action: 'overview',
        root: 'packages/api',
        format: 'json',
      }),
    ) as Record<string, unknown>;
    assert.doesNotMatch(JSON.stringify(arch), /packages\/|web/);
    assert.match(JSON.stringify(arch), /src\/users\.ts|src\/db\.ts/);
    const smells = await callToolText(srv, 'alice', 'ctx_smells', { action: 'scan', root: 'packages/web' });
    assert.doesNotMatch(smells, /packages\/|api\//);
  });

  test('a project root is jail-checked and must be a directory; each refusal says what to give instead', async () => {
    assert.match(await errorText(srv, 'ctx_index', { project_root: '../' }), /outside the workspace root/);
    assert.match(
      await errorText(srv, 'ctx_impact', { path: 'x.ts', root: '/etc' }),
      /outside the workspace root/,
    );
    assert.match(
      await errorText(srv, 'ctx_graph', { action: 'status', project_root: 'packages/escape' }),
      /outside the workspace root/,
    );
    assert.match(
      await errorText(srv, 'ctx_smells', { action: 'scan', root: 'packages/api/src/db.ts' }),
      /project root "packages\/api\/src\/db\.ts" is not a directory of the workspace; give a sub-directory/,
    );
    assert.match(
      await errorText(srv, 'ctx_architecture', { root: 'packages/nope' }),
      /project root "packages\/nope" is not a directory/,
    );
  });
});

describe('ctx_pack with project_root and registered artifacts', () => {
  let srv: RunningTestServer;
  const write = (files: Record<string, string>) => {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(srv.root, rel)), { recursive: true });
      writeFileSync(join(srv.root, rel), text);
    }
  };
  before(async () => {
    srv = await startTestServer({ files: FILES });
    git(srv.root, 'init', '-q', '-b', 'main');
    write({
      '.lean-ctx-artifacts.json': JSON.stringify({
        artifacts: [
          {
            name: 'users-adr',
            path: 'docs/adr/001-users.md',
            description: 'Why users are listed unpaged',
            tags: ['adr'],
          },
          { name: 'web', path: 'packages/web', description: 'The web front end' },
          { name: 'readme', path: './README.md', description: 'Project overview' },
          { name: 'gone', path: 'docs/missing.md', description: 'not there' },
          { name: 'escape', path: '../../etc/passwd', description: 'outside' },
          { name: 'key', path: 'deploy/id_rsa', description: 'a key' },
        ],
      }),
      'docs/adr/001-users.md': '# Users are listed unpaged\n',
      'deploy/id_rsa': 'not really a key\n',
      'packages/api/.lean-ctx-artifacts.json': JSON.stringify([
        { name: 'users', path: 'src/users.ts', description: 'User listing; keep query() calls in db.ts' },
      ]),
    });
    git(srv.root, 'add', '-A');
    git(srv.root, 'commit', '-qm', 'start');
    git(srv.root, 'checkout', '-qb', 'feature/paging');
    write({
      'packages/api/src/users.ts': `${FILES['packages/api/src/users.ts']}\nexport const pageSize = 50;\n`,
      'packages/web/src/app.ts': `${FILES['packages/web/src/app.ts']}\nexport const title = 'Users';\n`,
      'docs/adr/001-users.md': '# Users are listed in pages of 50\n',
    });
    git(srv.root, 'commit', '-qam', 'paging');
  });
  after(() => srv.close());

  test('the pack lists the artifacts about the changed files, and names the entries it left out', async () => {
    const text = await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr' });
    const section = (name: string) =>
      text.split(`## ${name}\n`)[1]?.split('\n## ')[0]?.trim().split('\n') ?? [];
    assert.deepEqual(section('Context artifacts'), [
      '- docs/adr/001-users.md (users-adr): Why users are listed unpaged [adr]',
      '- packages/web/ (web): The web front end',
    ]);
    assert.doesNotMatch(text, /Project overview/, 'README.md did not change');
    const warnings = section('Warnings');
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.match(warnings.join('\n'), /artifact "gone" left out: docs\/missing\.md does not exist/);
    assert.match(
      warnings.join('\n'),
      /artifact "escape" left out: path refused: .* outside the workspace root/,
    );
    assert.match(warnings.join('\n'), /artifact "key" left out: deploy\/id_rsa looks like a secret/);
    const json = JSON.parse(
      await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr', format: 'json' }),
    ) as {
      artifacts: { name: string; path: string; isDir: boolean }[];
      warnings: string[];
      project_root: string | null;
    };
    assert.deepEqual(
      json.artifacts.map((a) => [a.name, a.path, a.isDir]),
      [
        ['users-adr', 'docs/adr/001-users.md', false],
        ['web', 'packages/web', true],
      ],
    );
    assert.equal(json.warnings.length, 3);
    assert.equal(json.project_root, null);
  });

  test('with project_root the pack holds only the changes under it, relative to it, with that package’s own artifacts', async () => {
    const text = await callToolText(srv, 'alice', 'ctx_pack', { action: 'pr', project_root: 'packages/api' });
    assert.match(text, /^Project root: packages\/api \(paths below are relative to it\)$/m);
    assert.match(text, /^1 file\(s\) changed, \+2 -0$/m);
    const section = (name: string) =>
      text.split(`## ${name}`)[1]?.split('\n## ')[0]?.trim().split('\n') ?? [];
    assert.deepEqual(section('Changed files'), ['- src/users.ts modified +2 -0']);
    assert.deepEqual(section('Context artifacts'), [
      '- src/users.ts (users): User listing; keep query() calls in db.ts',
    ]);
    assert.deepEqual(section('Related tests'), ['- test/users.test.ts (imports src/users.ts)']);
    assert.doesNotMatch(text, /web|Warnings/);
  });
});
