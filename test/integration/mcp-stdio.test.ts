import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Database from 'better-sqlite3';
import { LEAN_CTX_BIN } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

interface McpChild {
  client: Client;
  transport: StdioClientTransport;
  stderr(): string;
}

/** `lean-ctx mcp` in `cwd` as a child process, reached by the real SDK client over stdio. */
function spawnMcp(
  cwd: string,
  env: Record<string, string>,
  args: string[] = [],
): { child: McpChild; connect(): Promise<void> } {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [LEAN_CTX_BIN, 'mcp', ...args],
    cwd,
    env: { ...(process.env as Record<string, string>), LEANCTX_TEAM_SERVER: '', ...env },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const client = new Client({ name: 't', version: '1' });
  return {
    child: { client, transport, stderr: () => err },
    connect: () => client.connect(transport),
  };
}

async function startMcp(cwd: string, env: Record<string, string>, args: string[] = []): Promise<McpChild> {
  const { child, connect } = spawnMcp(cwd, env, args);
  await connect();
  return child;
}

/** The error `initialize` got, and what the child wrote to stderr by then. */
async function failedStart(
  cwd: string,
  env: Record<string, string>,
): Promise<{ message: string; stderr: string }> {
  const { child, connect } = spawnMcp(cwd, env);
  const err = await connect().then(
    () => assert.fail('initialize succeeded'),
    (e: Error) => e,
  );
  await child.client.close();
  return { message: err.message, stderr: child.stderr() };
}

function assertOneLineNoStack(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

const text = (r: unknown) => JSON.stringify((r as { content: unknown }).content);

/** A port on 127.0.0.1 nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('lean-ctx mcp over stdio', () => {
  test('local mode offers ctx_shell and ctx_edit only with --allow-exec', async () => {
    const root = makeTree(SAMPLE_FILES);
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'leanctx-state-')) };
    const plain = await startMcp(root, env);
    try {
      const names = (await plain.client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('ctx_read') && !names.includes('ctx_shell'), names.join(', '));
    } finally {
      await plain.client.close();
    }
    const exec = await startMcp(root, env, ['--allow-exec']);
    try {
      const names = (await exec.client.listTools()).tools.map((t) => t.name);
      assert.ok(names.includes('ctx_shell'), names.join(', '));
      const out = await exec.client.callTool({ name: 'ctx_shell', arguments: { command: 'cat README.md' } });
      assert.match(text(out), /# Sample[\s\S]*exit 0/);
    } finally {
      await exec.client.close();
    }
  });

  test('local mode runs ctx_execute; with LEANCTX_SANDBOX=off the answer says plainly it is unsandboxed', async () => {
    const root = makeTree(SAMPLE_FILES);
    const env = { XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 'leanctx-state-')), LEANCTX_SANDBOX: 'off' };
    const exec = await startMcp(root, env, ['--allow-exec']);
    try {
      const out = await exec.client.callTool({
        name: 'ctx_execute',
        arguments: { language: 'python', code: 'import os\nprint("README.md" in os.listdir("."), 6 * 7)' },
      });
      assert.match(text(out), /True 42\\n/, text(out));
      assert.match(text(out), /UNSANDBOXED: LEANCTX_SANDBOX=off; code runs as a plain child process/);
    } finally {
      await exec.client.close();
    }
  });

  test('local mode keeps each project root in its own $XDG_STATE_HOME/leanctx/<hash> directory', async () => {
    const state = mkdtempSync(join(tmpdir(), 'xdg-state-'));
    const one = makeTree({ 'one.ts': 'export function alphaOnly(): number { return 1; }\n' });
    const two = makeTree({ 'two.ts': 'export function betaOnly(): number { return 2; }\n' });
    for (const root of [one, two]) {
      const child = await startMcp(root, { XDG_STATE_HOME: state });
      try {
        const found = await child.client.callTool({
          name: 'ctx_semantic_search',
          arguments: { query: 'alphaOnly betaOnly', mode: 'bm25' },
        });
        assert.equal(found.isError, undefined, text(found));
      } finally {
        await child.client.close();
      }
    }
    const dirs = readdirSync(join(state, 'leanctx'));
    assert.equal(dirs.length, 2, `one data dir per root: ${dirs.join(', ')}`);
    const indexed = dirs.map((d) => {
      assert.match(d, /^[0-9a-f]{16}$/);
      assert.ok(existsSync(join(state, 'leanctx', d, 'leanctx.db')));
      const db = new Database(join(state, 'leanctx', d, 'workspaces', 'local', 'bm25.sqlite'), {
        readonly: true,
      });
      try {
        return (db.prepare('SELECT path FROM files').all() as { path: string }[])
          .map((r) => r.path)
          .join(',');
      } finally {
        db.close();
      }
    });
    assert.deepEqual(indexed.sort(), ['one.ts', 'two.ts'], 'each index holds its own root only');
  });

  test('two processes on the same root share its data dir without losing or clashing an event', async () => {
    const state = mkdtempSync(join(tmpdir(), 'xdg-state-'));
    const root = makeTree(SAMPLE_FILES);
    const children = [
      await startMcp(root, { XDG_STATE_HOME: state }),
      await startMcp(root, { XDG_STATE_HOME: state }),
    ];
    const calls = 25;
    try {
      await Promise.all(
        children.flatMap((c) => [
          c.client.callTool({ name: 'ctx_semantic_search', arguments: { query: 'main add', mode: 'bm25' } }),
          ...Array.from({ length: calls }, (_, i) =>
            c.client.callTool({
              name: 'ctx_read',
              arguments: { path: i % 2 ? 'src/index.ts' : 'README.md' },
            }),
          ),
        ]),
      );
    } finally {
      for (const c of children) await c.client.close();
    }
    for (const c of children) assert.doesNotMatch(c.stderr(), /failed|error/i, c.stderr());
    const [dir] = readdirSync(join(state, 'leanctx'));
    const db = new Database(join(state, 'leanctx', dir ?? '', 'leanctx.db'), { readonly: true });
    try {
      const rows = db
        .prepare(
          "SELECT revision, kind FROM events WHERE workspace_id = 'local' AND channel_id = 'main' ORDER BY revision",
        )
        .all() as { revision: number; kind: string }[];
      const recorded = rows.filter((r) => r.kind === 'tool_call_recorded').length;
      assert.equal(recorded, 2 * (calls + 1), 'every call of both processes recorded');
      assert.deepEqual(
        rows.map((r) => r.revision),
        rows.map((_, i) => i + 1),
        'revisions 1..n, none skipped or doubled',
      );
      const usage = db.prepare('SELECT COUNT(*) AS n FROM usage').get() as { n: number };
      assert.equal(usage.n, 2 * (calls + 1));
    } finally {
      db.close();
    }
  });

  test('a refused token answers initialize with "token refused by <server>" and one stderr line', async () => {
    const srv = await startTestServer();
    try {
      const { message, stderr } = await failedStart(makeTree(SAMPLE_FILES), {
        LEANCTX_TEAM_SERVER: srv.url,
        LEANCTX_TEAM_TOKEN: 'lctx_t_nobody_0000',
      });
      assert.match(message, new RegExp(`token refused by ${srv.url} \\(401`));
      assert.match(message, /LEANCTX_TEAM_TOKEN/);
      assertOneLineNoStack(stderr);
      assert.match(stderr, /^lean-ctx mcp: token refused by/);
      assert.doesNotMatch(stderr, /lctx_t_nobody/, 'the token is never printed');
    } finally {
      await srv.close();
    }
  });

  test('an unreachable team server answers initialize with "cannot reach <server>" and one stderr line', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { message, stderr } = await failedStart(makeTree(SAMPLE_FILES), {
      LEANCTX_TEAM_SERVER: url,
      LEANCTX_TEAM_TOKEN: 'lctx_t_alice_0000',
    });
    assert.match(message, new RegExp(`cannot reach ${url} \\(ECONNREFUSED`));
    assertOneLineNoStack(stderr);
  });

  test('a broken .lean-ctx/config.toml answers initialize with the file, line and what is wrong', async () => {
    const root = makeTree(SAMPLE_FILES);
    mkdirSync(join(root, '.lean-ctx'));
    writeFileSync(join(root, '.lean-ctx', 'config.toml'), '[team]\nserver = "http://x:1"\ntoken = lctx\n');
    const { message, stderr } = await failedStart(root, {
      XDG_STATE_HOME: mkdtempSync(join(tmpdir(), 's-')),
    });
    assert.match(message, /\.lean-ctx\/config\.toml:3:9: invalid value/);
    assert.match(stderr, /config\.toml:3:9/);
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  test('a team server that goes away mid-session: the next call is an error naming it, the relay lives on', async () => {
    const srv = await startTestServer();
    const child = await startMcp(makeTree(SAMPLE_FILES), {
      LEANCTX_TEAM_SERVER: srv.url,
      LEANCTX_TEAM_TOKEN: srv.tokens.alice ?? '',
    });
    try {
      await child.client.callTool({ name: 'ctx_tree', arguments: {} });
      await srv.close();
      const gone = await child.client.callTool({ name: 'ctx_tree', arguments: {} }).then(
        () => 'answered',
        (e: Error) => e.message,
      );
      assert.match(gone, new RegExp(`cannot reach ${srv.url} \\(`));
      // stderr is another pipe: its line may land just after the answer on stdout
      for (let i = 0; i < 100 && !/^lean-ctx mcp: cannot reach/m.test(child.stderr()); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.match(child.stderr(), /^lean-ctx mcp: cannot reach/m);
      assert.doesNotMatch(child.stderr(), /^\s+at /m);
      await child.client.ping();
    } finally {
      await child.client.close();
    }
  });

  test('forwarding relays tool calls to the team server and passes its errors through', async () => {
    const srv = await startTestServer();
    try {
      const child = await startMcp(makeTree(SAMPLE_FILES), {
        LEANCTX_TEAM_SERVER: srv.url,
        LEANCTX_TEAM_TOKEN: srv.tokens.alice ?? '',
      });
      try {
        const read = await child.client.callTool({ name: 'ctx_read', arguments: { path: 'README.md' } });
        assert.match(text(read), /A small project/);
        const unknown = await child.client.callTool({ name: 'no_such_tool', arguments: {} }).then(
          (r) => text(r),
          (e: Error) => e.message,
        );
        assert.match(unknown, /no_such_tool/);
        assert.doesNotMatch(unknown, /MCP error -?\d+: MCP error/, 'no doubled prefix');
      } finally {
        await child.client.close();
      }
      assert.equal(child.stderr(), '', 'the team server’s own answers are not logged as failures');
    } finally {
      await srv.close();
    }
  });
});
