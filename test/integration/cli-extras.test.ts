import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LEAN_CTX_BIN, runCli } from '../helpers/cli.ts';
import { callTool, makeTree, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
    cwd,
    encoding: 'utf8',
  });

describe('lean-ctx commands beyond serve', () => {
  test('team sync fetches each git workspace from its remote and skips the others', () => {
    const upstream = makeTree({ 'a.txt': 'one\n' });
    git(upstream, 'init', '-q');
    git(upstream, 'add', '.');
    git(upstream, 'commit', '-qm', 'first');
    const dir = mkdtempSync(join(tmpdir(), 'sync-'));
    const clone = join(dir, 'clone');
    git(dir, 'clone', '-q', upstream, clone);
    writeFileSync(join(upstream, 'b.txt'), 'two\n');
    git(upstream, 'add', '.');
    git(upstream, 'commit', '-qm', 'second');
    const plain = makeTree({ 'x.txt': 'x' });
    const config = join(dir, 'team.json');
    writeFileSync(
      config,
      JSON.stringify({
        workspaces: [
          { id: 'backend', root: clone },
          { id: 'notes', root: plain },
        ],
      }),
    );
    const all = runCli(['team', 'sync', '--config', config]);
    assert.equal(all.status, 0, all.stderr);
    assert.match(all.stdout, /backend: fetched/);
    assert.match(all.stdout, /notes: not a git checkout/);
    assert.match(git(clone, 'log', '--oneline', 'origin/HEAD'), /second/);
    const one = runCli(['team', 'sync', '--config', config, '--workspace', 'nope']);
    assert.equal(one.status, 2);
    assert.match(one.stderr, /unknown workspace "nope"; known: backend, notes/);
  });

  test('session list prints channels with revision and agents', async () => {
    const srv = await startTestServer({
      tokens: [
        { id: 'cursor', role: 'member' },
        { id: 'claude-code', role: 'member' },
      ],
    });
    try {
      await callTool(srv, 'cursor', { name: 'ctx_tree', channelId: 'feat/auth-refactor' });
      await callTool(srv, 'claude-code', { name: 'ctx_tree', channelId: 'feat/auth-refactor' });
    } finally {
      await srv.close();
    }
    const r = runCli(['session', 'list', '--config', join(srv.dir, 'team.json'), '--workspace', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /workspace: main/);
    assert.match(r.stdout, /channel: feat\/auth-refactor rev:4 agents: cursor, claude-code/);
  });

  test('lean-ctx mcp serves the current directory over stdio when no team server is configured', async () => {
    const root = makeTree(SAMPLE_FILES);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [LEAN_CTX_BIN, 'mcp'],
        cwd: root,
        env: {
          ...process.env,
          LEANCTX_TEAM_SERVER: '',
          XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'xdg-')),
        } as Record<string, string>,
      }),
    );
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('ctx_read'));
      const first = await client.callTool({
        name: 'ctx_read',
        arguments: { path: 'src/index.ts', mode: 'full' },
      });
      assert.match(JSON.stringify(first.content), /export function main/);
      const again = await client.callTool({
        name: 'ctx_read',
        arguments: { path: 'src/index.ts', mode: 'full' },
      });
      assert.match(
        JSON.stringify(again.content),
        /unchanged/,
        'the same session gets a stub on an unchanged re-read',
      );
    } finally {
      await client.close();
    }
  });

  test('CORS answers preflights only for origins in allowedHosts', async () => {
    const srv = await startTestServer({ config: { allowedHosts: ['app.example.com'] } });
    try {
      const ok = await srv.request('/v1/manifest', {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
      });
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://app.example.com');
      const actual = await srv.request('/v1/manifest', {
        as: 'alice',
        headers: { origin: 'https://app.example.com' },
      });
      assert.equal(actual.status, 200);
      assert.equal(actual.headers.get('access-control-allow-origin'), 'https://app.example.com');
      const other = await srv.request('/v1/manifest', {
        as: 'alice',
        headers: { origin: 'https://evil.example' },
      });
      assert.equal(other.status, 403);
      assert.equal(other.headers.get('access-control-allow-origin'), null);
    } finally {
      await srv.close();
    }
  });
});
