import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

async function readText(
  srv: RunningTestServer,
  as: string,
  extra: Record<string, unknown> = {},
  headers = {},
) {
  const res = await callTool(
    srv,
    as,
    { name: 'ctx_read', arguments: { path: 'src/index.ts', mode: 'full' }, ...extra },
    headers,
  );
  return ((await res.json()) as { result: { content: { text: string }[] } }).result.content[0]?.text ?? '';
}

async function mcpClient(srv: RunningTestServer, as: string): Promise<Client> {
  const client = new Client({ name: 't', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${srv.tokens[as]}` } },
    }),
  );
  return client;
}

test('an unchanged stub goes only to the context that received the bytes, over REST and MCP', async () => {
  const srv = await startTestServer({
    tokens: [
      { id: 'alice', role: 'admin' },
      { id: 'bob', role: 'admin' },
    ],
  });
  try {
    // REST without a context: full content every time.
    assert.match(await readText(srv, 'alice'), /return 42/);
    assert.match(await readText(srv, 'alice'), /return 42/);
    // REST with a context (body or header): the second read is a stub.
    assert.match(await readText(srv, 'alice', { contextId: 'c1' }), /return 42/);
    assert.match(await readText(srv, 'alice', {}, { 'x-leanctx-context': 'c1' }), /unchanged/);
    // Another token naming the same context id is another context.
    assert.match(await readText(srv, 'bob', { contextId: 'c1' }), /return 42/);
    // MCP: each session is its own context, and a new session gets the content again.
    const first = await mcpClient(srv, 'alice');
    const args = { name: 'ctx_read', arguments: { path: 'src/index.ts', mode: 'full' } };
    assert.match(JSON.stringify((await first.callTool(args)).content), /return 42/);
    assert.match(JSON.stringify((await first.callTool(args)).content), /unchanged/);
    await first.close();
    const second = await mcpClient(srv, 'alice');
    assert.match(JSON.stringify((await second.callTool(args)).content), /return 42/);
    await second.close();
  } finally {
    await srv.close();
  }
});
