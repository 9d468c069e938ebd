import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { rawRequest } from '../helpers/raw-http.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

// What the original lean-ctx clients rely on at the HTTP level (issue 14).

async function auditLines(srv: RunningTestServer): Promise<Record<string, unknown>[]> {
  const res = await srv.request('/v1/audit?limit=1000', { as: 'alice' });
  return ((await res.json()) as { entries: Record<string, unknown>[] }).entries;
}

describe('status and codes the original clients rely on', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'viewer', role: 'viewer' },
      ],
      extraWorkspaces: [{ id: 'other', files: { 'only-in-other.txt': 'other workspace\n' } }],
    });
  });
  after(() => srv.close());

  test('GET /health answers "ok" as text/plain, with or without a token', async () => {
    for (const init of [{}, { as: 'alice' }]) {
      const res = await srv.request('/health', init);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal((await res.text()).trim(), 'ok');
    }
  });

  test('GET /healthz keeps the JSON with version and uptime', async () => {
    const res = await srv.request('/healthz');
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.status, 'ok');
    assert.equal(typeof body.version, 'string');
    assert.equal(typeof body.uptime, 'string');
  });

  test('arguments that are not a JSON object are 400 invalid_arguments, and audited', async () => {
    for (const [args, got] of [
      [['src/index.ts'], 'an array'],
      ['src/index.ts', 'a string'],
      [7, 'a number'],
    ] as const) {
      const res = await callTool(srv, 'alice', { name: 'ctx_read', arguments: args });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { error: string; error_code: string };
      assert.equal(body.error_code, 'invalid_arguments');
      assert.match(body.error, new RegExp(`arguments must be a JSON object.*got ${got}`));
    }
    const denied = (await auditLines(srv)).filter((e) => e.deniedReason === 'invalid_arguments');
    assert.ok(denied.length >= 3, 'each refusal has an audit line');
  });

  test('arguments: null is no arguments, as in the original', async () => {
    const res = await callTool(srv, 'alice', { name: 'ctx_tree', arguments: null });
    assert.equal(res.status, 200);
  });

  test("the body's workspaceId wins over the workspace header for that call", async () => {
    const res = await callTool(
      srv,
      'alice',
      { name: 'ctx_read', arguments: { path: 'only-in-other.txt' }, workspaceId: 'other' },
      { 'x-leanctx-workspace': 'main' },
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as { result: { content: { text: string }[]; isError?: boolean } };
    assert.notEqual(body.result.isError, true);
    assert.match(body.result.content[0]?.text ?? '', /other workspace/);
    const headerOnly = await callTool(
      srv,
      'alice',
      { name: 'ctx_read', arguments: { path: 'only-in-other.txt' } },
      { 'x-leanctx-workspace': 'other' },
    );
    assert.match(await headerOnly.text(), /other workspace/, 'without a body value the header decides');
    const unknown = await callTool(
      srv,
      'alice',
      { name: 'ctx_tree', workspaceId: 'nope' },
      { 'x-leanctx-workspace': 'main' },
    );
    assert.equal(unknown.status, 400);
    assert.equal(((await unknown.json()) as { error_code: string }).error_code, 'unknown_workspace');
  });

  test('GET /v1/tools pages 200 by default, clamps limit to 500 and answers past the end with an empty page', async () => {
    const all = (await (await srv.request('/v1/tools?limit=500', { as: 'alice' })).json()) as {
      tools: { name: string }[];
      total: number;
      offset: number;
      limit: number;
    };
    assert.ok(all.total > 3, 'the admin sees several tools');
    assert.equal(all.tools.length, Math.min(all.total, 500));

    const first = (await (await srv.request('/v1/tools', { as: 'alice' })).json()) as typeof all;
    assert.equal(first.limit, 200);
    assert.equal(first.offset, 0);
    assert.equal(first.tools.length, Math.min(all.total, 200));

    const clamped = (await (
      await srv.request('/v1/tools?limit=100000', { as: 'alice' })
    ).json()) as typeof all;
    assert.equal(clamped.limit, 500);

    const past = await srv.request(`/v1/tools?offset=${all.total + 50}&limit=10`, { as: 'alice' });
    assert.equal(past.status, 200);
    const pastBody = (await past.json()) as typeof all;
    assert.deepEqual(pastBody.tools, []);
    assert.equal(pastBody.total, all.total);
    assert.equal(pastBody.offset, all.total, 'the offset used is reported, clamped to total');

    const second = (await (
      await srv.request('/v1/tools?offset=2&limit=2', { as: 'alice' })
    ).json()) as typeof all;
    assert.deepEqual(
      second.tools.map((t) => t.name),
      all.tools.slice(2, 4).map((t) => t.name),
    );
  });

  test('a /v1/tools offset or limit that is not a whole number is still a 400 naming it', async () => {
    for (const [query, name] of [
      ['offset=-1', 'offset'],
      ['limit=abc', 'limit'],
      ['offset=1.5', 'offset'],
    ] as const) {
      const res = await srv.request(`/v1/tools?${query}`, { as: 'alice' });
      assert.equal(res.status, 400, query);
      const body = (await res.json()) as { error: string; error_code: string };
      assert.equal(body.error_code, 'invalid_request');
      assert.match(body.error, new RegExp(name));
    }
  });
});

describe('MCP on the original fallback path POST /', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'events-only', scopes: ['events'] },
      ],
    });
  });
  after(() => srv.close());

  const connect = async (as: string | undefined) => {
    const client = new Client({ name: 'compat-test', version: '1.0.0' });
    const headers: Record<string, string> = as ? { authorization: `Bearer ${srv.tokens[as]}` } : {};
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/`), { requestInit: { headers } }),
    );
    return client;
  };

  test('the SDK client lists and calls tools at the server root', async () => {
    const client = await connect('alice');
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'ctx_read'));
      const result = (await client.callTool({ name: 'ctx_read', arguments: { path: 'src/index.ts' } })) as {
        content: { text?: string }[];
      };
      assert.match(result.content[0]?.text ?? '', /export function main/);
    } finally {
      await client.close();
    }
    const lines = await auditLines(srv);
    assert.ok(
      lines.some((e) => e.tool === 'ctx_read' && e.allowed === true),
      'a tools/call at / is audited like one at /mcp',
    );
  });

  test('the same auth as /mcp: no token is 401, a token without the scope is refused and audited', async () => {
    await assert.rejects(connect(undefined), /401|unauthorized/i);
    const raw = await fetch(`${srv.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    assert.equal(raw.status, 401);
    assert.equal(((await raw.json()) as { error_code: string }).error_code, 'unauthorized');

    const client = await connect('events-only');
    try {
      await assert.rejects(
        client.callTool({ name: 'ctx_read', arguments: { path: 'src/index.ts' } }),
        /scope/,
      );
    } finally {
      await client.close();
    }
    const lines = await auditLines(srv);
    assert.ok(lines.some((e) => e.tokenId === 'events-only' && e.tool === 'ctx_read' && e.allowed === false));
  });

  test('the same Host check as /mcp', async () => {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const port = Number(new URL(srv.url).port);
    for (const path of ['/', '/mcp']) {
      const res = await rawRequest(port, {
        method: 'POST',
        path,
        headers: {
          host: 'evil.example',
          authorization: `Bearer ${srv.tokens.alice}`,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
        },
        body,
      });
      assert.equal(res.status, 403, path);
      assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'host_not_allowed');
    }
  });

  test('other unknown paths are still 404 not_found', async () => {
    const res = await srv.request('/nope', { method: 'POST', as: 'alice' });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error_code: string }).error_code, 'not_found');
  });
});
