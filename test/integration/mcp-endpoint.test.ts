import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const run = promisify(execFile);

async function connect(
  srv: RunningTestServer,
  as: string,
  headers: Record<string, string> = {},
): Promise<Client> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${srv.tokens[as]}`, ...headers } },
  });
  await client.connect(transport);
  return client;
}

function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((c) => c.text ?? '').join('\n');
}

describe('MCP Streamable HTTP at /mcp with the official SDK client', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'events-only', scopes: ['events'] },
        { id: 'viewer', role: 'viewer', workspaces: ['main'] },
      ],
    });
  });
  after(() => srv.close());

  test('initialize, tools/list and tools/call work with a bearer token', async () => {
    const client = await connect(srv, 'alice');
    try {
      const { tools } = await client.listTools();
      const names = tools.map((t) => t.name);
      assert.ok(names.includes('ctx_read') && names.includes('ctx_tree'));
      for (const t of tools) assert.equal(t.inputSchema.type, 'object');
      const result = await client.callTool({ name: 'ctx_read', arguments: { path: 'src/index.ts' } });
      assert.match(textOf(result), /export function main/);
    } finally {
      await client.close();
    }
  });

  test('no token gets 401 before any session exists', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await assert.rejects(
      client.connect(new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`))),
      /401|nauthorized/,
    );
  });

  test('tools/call is checked per tool: scope_denied in the JSON-RPC error data', async () => {
    const client = await connect(srv, 'events-only');
    try {
      const { tools } = await client.listTools();
      assert.equal(tools.length, 0, 'a token without search sees no read tools');
      const err = await client
        .callTool({ name: 'ctx_read', arguments: { path: 'README.md' } })
        .catch((e) => e);
      assert.ok(err instanceof McpError);
      assert.equal((err.data as { error_code: string }).error_code, 'scope_denied');
    } finally {
      await client.close();
    }
  });

  test('invalid arguments and unknown workspaces carry their error_code', async () => {
    const client = await connect(srv, 'alice');
    try {
      const bad = await client.callTool({ name: 'ctx_read', arguments: { path: 7 } }).catch((e) => e);
      assert.equal((bad.data as { error_code: string }).error_code, 'invalid_arguments');
      const unknown = await client.callTool({ name: 'ctx_nope', arguments: {} }).catch((e) => e);
      assert.equal((unknown.data as { error_code: string }).error_code, 'unknown_tool');
    } finally {
      await client.close();
    }
    const elsewhere = await connect(srv, 'alice', { 'x-leanctx-workspace': 'nope' });
    try {
      const err = await elsewhere.callTool({ name: 'ctx_tree', arguments: {} }).catch((e) => e);
      assert.equal((err.data as { error_code: string }).error_code, 'unknown_workspace');
    } finally {
      await elsewhere.close();
    }
  });

  test('a tool that fails is a result with isError, not a protocol error', async () => {
    const client = await connect(srv, 'alice');
    try {
      const result = await client.callTool({ name: 'ctx_read', arguments: { path: 'missing.txt' } });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /not found/);
    } finally {
      await client.close();
    }
  });

  test('a session belongs to the token that opened it', async () => {
    const client = await connect(srv, 'alice');
    try {
      const transport = client.transport as StreamableHTTPClientTransport;
      const res = await fetch(`${srv.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${srv.tokens.viewer}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': transport.sessionId ?? '',
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
      });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error_code: string }).error_code, 'not_found');
    } finally {
      await client.close();
    }
  });

  test('tool calls over MCP are audited like REST calls', async () => {
    const client = await connect(srv, 'alice');
    try {
      await client.callTool({ name: 'ctx_tree', arguments: { depth: 1 } });
    } finally {
      await client.close();
    }
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(srv.auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const line = lines.findLast((l) => l.tool === 'ctx_tree');
    assert.equal(line.method, 'tools/call');
    assert.equal(line.tokenId, 'alice');
    assert.equal(line.allowed, true);
  });

  test('the MCP Inspector CLI reaches /mcp through `lean-ctx mcp` forwarding with the token', async () => {
    // Inspector 0.15 (the newest on Node 20) sends no custom headers over HTTP, so it speaks
    // stdio to `lean-ctx mcp`, which forwards to the team server with the bearer token.
    const inspector = fileURLToPath(new URL('../../node_modules/.bin/mcp-inspector', import.meta.url));
    const leanCtx = fileURLToPath(new URL('../../bin/lean-ctx.js', import.meta.url));
    const env = {
      ...process.env,
      LEANCTX_TEAM_SERVER: srv.url,
      LEANCTX_TEAM_TOKEN: srv.tokens.alice,
      LEANCTX_WORKSPACE: 'main',
    };
    const target = ['--cli', process.execPath, leanCtx, 'mcp'];
    const listed = await run(inspector, [...target, '--method', 'tools/list'], { timeout: 60_000, env });
    assert.match(listed.stdout, /"ctx_read"/);
    const called = await run(
      inspector,
      [...target, '--method', 'tools/call', '--tool-name', 'ctx_read', '--tool-arg', 'path=README.md'],
      { timeout: 60_000, env },
    );
    assert.match(called.stdout, /A small project/);
    const { readFileSync } = await import('node:fs');
    const audited = readFileSync(srv.auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(
      audited.some((l) => l.tool === 'ctx_read' && l.method === 'tools/call' && l.tokenId === 'alice'),
    );
  });
});
