import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGateway } from '../../src/gateway/gateway.ts';
import { listenGatewayHttp } from '../../src/gateway/http-front.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import { configOf, SERVERS, waitFor } from '../helpers/gateway-servers.ts';

const init = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
};
const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function serve(transport: Record<string, unknown>) {
  const config = configOf({
    servers: [SERVERS.fixture()],
    transport: { type: 'http', port: 0, ...transport },
  });
  const gateway = createGateway(config, createSilentLogger());
  const http = await listenGatewayHttp(gateway, createSilentLogger(), config.transport);
  const open = async () => {
    const res = await fetch(http.url, { method: 'POST', headers, body: JSON.stringify(init) });
    await res.text();
    return { status: res.status, id: res.headers.get('mcp-session-id') ?? '', res };
  };
  const list = (id: string) =>
    fetch(http.url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
    });
  return {
    http,
    open,
    list,
    async close() {
      await http.close();
      await gateway.close();
    },
  };
}

describe('lazy-mcp HTTP sessions', () => {
  test('a session unused for transport.sessionIdleTimeout is closed; its id then gets 404', async () => {
    const s = await serve({ sessionIdleTimeout: 300 });
    try {
      const busy = await s.open();
      const idle = await s.open();
      assert.equal(busy.status, 200);
      assert.ok(idle.id && busy.id !== idle.id);
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        assert.equal((await s.list(busy.id)).status, 200, 'a session in use stays open');
        await new Promise((r) => setTimeout(r, 100));
      }
      await waitFor(async () => (await s.list(idle.id)).status === 404, 'the idle session to close');
      const gone = await s.list(idle.id);
      assert.equal(((await gone.json()) as { error_code: string }).error_code, 'not_found');
    } finally {
      await s.close();
    }
  });

  test('more than transport.maxSessions open sessions → 503 overloaded naming the setting; a closed one frees a place', async () => {
    const s = await serve({ maxSessions: 2 });
    try {
      const first = await s.open();
      assert.equal(first.status, 200);
      assert.equal((await s.open()).status, 200);
      const refused = await fetch(s.http.url, { method: 'POST', headers, body: JSON.stringify(init) });
      assert.equal(refused.status, 503);
      const body = (await refused.json()) as { error: string; error_code: string };
      assert.equal(body.error_code, 'overloaded');
      assert.match(body.error, /limit of 2 MCP sessions.*transport\.maxSessions/);
      const ended = await fetch(s.http.url, {
        method: 'DELETE',
        headers: { 'mcp-session-id': first.id, 'mcp-protocol-version': '2025-06-18' },
      });
      assert.equal(ended.status, 200);
      assert.equal((await s.open()).status, 200);
    } finally {
      await s.close();
    }
  });
});
