import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SERVERS } from '../helpers/gateway-servers.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

function textOf(body: unknown): string {
  const result = (body as { result: { content: { text?: string }[] } }).result;
  return result.content.map((c) => c.text ?? '').join('\n');
}

describe('downstream MCP servers shared through the team server', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'ops', scopes: ['search', 'gateway'] },
        { id: 'only-memory', scopes: ['gateway'], role: undefined },
        { id: 'reader', scopes: ['search'] },
      ],
      config: {
        servers: [SERVERS.everything, SERVERS.memory, SERVERS.fixture()],
        requestTimeoutMs: 4000,
      },
    });
    // Narrow one token to the memory server through team.json's per-token globs.
    const cfg = srv.server.deps.state.config();
    await srv.server.reload({
      ...cfg,
      tokens: cfg.tokens.map((t) => (t.id === 'only-memory' ? { ...t, servers: ['mem*'] } : t)),
    });
  });
  after(() => srv.close());

  test('a gateway-scoped token sees the meta-tools over MCP and invokes a real downstream tool', async () => {
    const client = new Client({ name: 't', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${srv.tokens.ops}` } },
      }),
    );
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      for (const meta of ['list_servers', 'list_commands', 'describe_commands', 'invoke_command']) {
        assert.ok(names.includes(meta), `${meta} listed`);
      }
      const result = await client.callTool({
        name: 'invoke_command',
        arguments: { server: 'everything', command: 'echo', parameters: { message: 'hello team' } },
      });
      assert.match(JSON.stringify(result.content), /hello team/);
    } finally {
      await client.close();
    }
    const audit = readFileSync(srv.auditPath, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const line = audit.findLast((l) => l.tool === 'invoke_command');
    assert.equal(line.tokenId, 'ops');
    assert.equal(line.allowed, true);
  });

  test('without the gateway scope the meta-tools are refused', async () => {
    const res = await callTool(srv, 'reader', { name: 'list_servers' });
    assert.equal(res.status, 403);
    assert.equal(((await res.json()) as { error_code: string }).error_code, 'scope_denied');
  });

  test("a token's server globs hide and refuse the other servers", async () => {
    const listed = textOf(await (await callTool(srv, 'only-memory', { name: 'list_servers' })).json());
    assert.match(listed, /memory/);
    assert.doesNotMatch(listed, /everything/);
    const res = await callTool(srv, 'only-memory', {
      name: 'invoke_command',
      arguments: { server: 'everything', command: 'echo', parameters: { message: 'x' } },
    });
    const body = (await res.json()) as { result: { isError?: boolean } };
    assert.equal(body.result.isError, true);
  });

  test('a hanging downstream call is cut by the team timeout like a built-in tool', async () => {
    const res = await callTool(srv, 'ops', {
      name: 'invoke_command',
      arguments: { server: 'fixture', command: 'hang', parameters: {} },
    });
    // The team limit (4 s) is shorter than the gateway's own requestTimeout (10 s).
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { error_code: string }).error_code, 'request_timeout');
  });
});

test('a servers.json named by path is re-read on reload, even though the path is unchanged', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'team-servers-'));
  const file = join(dir, 'servers.json');
  writeFileSync(file, JSON.stringify({ servers: [SERVERS.memory] }));
  const srv = await startTestServer({
    tokens: [{ id: 'ops', scopes: ['gateway'] }],
    config: { servers: file },
  });
  try {
    assert.equal(srv.server.serversFile(), file);
    const before = textOf(await (await callTool(srv, 'ops', { name: 'list_servers' })).json());
    assert.doesNotMatch(before, /everything/);
    writeFileSync(file, JSON.stringify({ servers: [SERVERS.memory, SERVERS.everything] }));
    await srv.server.reload(srv.server.deps.state.config());
    const after = textOf(await (await callTool(srv, 'ops', { name: 'list_servers' })).json());
    assert.match(after, /everything/);
  } finally {
    await srv.close();
  }
});
