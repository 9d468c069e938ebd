import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { z } from 'zod';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { parseTeamConfig } from '../../src/config/team-config.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { defineTool } from '../../src/tools/define-tool.ts';
import { type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const run = promisify(execFile);

const INIT = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

interface Answer {
  status: number;
  body: unknown;
  sessionId: string | null;
}

/** One raw POST /mcp, as curl would send it. */
async function mcpPost(
  srv: RunningTestServer,
  token: string,
  body: unknown,
  sessionId?: string,
): Promise<Answer> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (sessionId) {
    headers['mcp-session-id'] = sessionId;
    headers['mcp-protocol-version'] = '2025-11-25';
  }
  const res = await fetch(`${srv.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : undefined,
    sessionId: res.headers.get('mcp-session-id'),
  };
}

async function openSession(srv: RunningTestServer, token: string): Promise<string> {
  const init = await mcpPost(srv, token, INIT);
  assert.equal(init.status, 200, JSON.stringify(init.body));
  const id = init.sessionId as string;
  assert.equal(
    (await mcpPost(srv, token, { jsonrpc: '2.0', method: 'notifications/initialized' }, id)).status,
    202,
  );
  return id;
}

const codeOf = (a: Answer) => (a.body as { error_code?: string }).error_code;

/** Rewrites the server's token list (a real reload, as a changed team.json would cause). */
async function reloadTokens(
  srv: RunningTestServer,
  tokens: { id: string; secret: string; role?: string; revoked?: boolean }[],
): Promise<void> {
  const cfg = srv.server.deps.state.config();
  const raw = {
    host: cfg.host,
    port: cfg.port,
    auditLogPath: cfg.auditLogPath,
    dataDir: cfg.dataDir,
    workspaces: cfg.workspaces.map((w) => ({ id: w.id, root: w.root })),
    tokens: tokens.map((t) => ({
      id: t.id,
      sha256Hex: sha256Hex(t.secret),
      role: t.role ?? 'admin',
      ...(t.revoked ? { revokedAt: new Date().toISOString() } : {}),
    })),
  };
  await srv.server.reload(parseTeamConfig(raw, srv.dir, cfg.path, cfg.path));
}

describe('MCP at /mcp: stateless requests, sessions and their limits', () => {
  test("the seed's curl test: tools/list with the bearer token and no initialize is answered", async () => {
    const srv = await startTestServer();
    try {
      const { stdout } = await run('curl', [
        '-s',
        '-X',
        'POST',
        `${srv.url}/mcp`,
        '-H',
        'Content-Type: application/json',
        '-H',
        'Accept: application/json, text/event-stream',
        '-H',
        `Authorization: Bearer ${srv.tokens.alice}`,
        '-d',
        '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
      ]);
      const listed = JSON.parse(stdout) as { id: number; result: { tools: { name: string }[] } };
      assert.equal(listed.id, 1);
      assert.ok(listed.result.tools.some((t) => t.name === 'ctx_read'));
      const called = await mcpPost(srv, srv.tokens.alice as string, {
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: { name: 'ctx_read', arguments: { path: 'README.md' } },
      });
      assert.equal(called.status, 200);
      assert.match(JSON.stringify(called.body), /A small project/);
      assert.equal(called.sessionId, null, 'no session was opened');
      const ping = await mcpPost(srv, srv.tokens.alice as string, { jsonrpc: '2.0', id: 3, method: 'ping' });
      assert.deepEqual((ping.body as { result: unknown }).result, {});
      const unauth = await mcpPost(srv, 'lctx_t_nobody_x', { jsonrpc: '2.0', id: 4, method: 'tools/list' });
      assert.equal(unauth.status, 401);
    } finally {
      await srv.close();
    }
  });

  test('every message of a JSON-RPC batch is charged to the token rate limit', async () => {
    const srv = await startTestServer({ config: { maxRps: 0.1, rateBurst: 6 } });
    try {
      const token = srv.tokens.alice as string;
      const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/list' });
      const huge = await mcpPost(
        srv,
        token,
        Array.from({ length: 7 }, (_, k) => list(10 + k)),
      );
      assert.equal(huge.status, 400, 'a batch larger than rateBurst can never pass');
      const session = await openSession(srv, token); // 1 + 2 tokens spent so far
      const first = await mcpPost(srv, token, [list(1), list(2), list(3)], session);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal((first.body as unknown[]).length, 3);
      const second = await mcpPost(srv, token, [list(4), list(5)], session);
      assert.equal(second.status, 429, 'the bucket is empty: the batch of 3 cost 3');
      assert.equal(codeOf(second), 'rate_limited');
    } finally {
      await srv.close();
    }
  });

  test('a JSON-RPC id already in flight on a session is refused, and the first request still gets its answer', async () => {
    let release: (() => void) | undefined;
    const slow = defineTool({
      name: 'test_wait',
      description: 'waits until released',
      scope: 'search',
      input: z.object({}),
      run: () =>
        new Promise<string>((resolve) => {
          release = () => resolve('first answer');
        }),
    });
    const srv = await startTestServer({ tools: [...builtinTools(), slow] });
    try {
      const token = srv.tokens.alice as string;
      const session = await openSession(srv, token);
      const first = mcpPost(
        srv,
        token,
        { jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'test_wait', arguments: {} } },
        session,
      );
      while (!release) await new Promise((r) => setTimeout(r, 5));
      const second = await mcpPost(srv, token, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, session);
      assert.equal(second.status, 400);
      assert.equal(codeOf(second), 'invalid_request');
      release();
      const answered = await first;
      assert.equal(answered.status, 200);
      assert.match(JSON.stringify(answered.body), /first answer/);
      const again = await mcpPost(srv, token, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, session);
      assert.equal(again.status, 200, 'the id is free again once answered');
    } finally {
      await srv.close();
    }
  });

  test('MCP sessions per token are capped with too_many_sessions', async () => {
    const srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'bob', role: 'admin' },
      ],
      config: { maxMcpSessionsPerToken: 2 },
    });
    try {
      const token = srv.tokens.alice as string;
      const a = await openSession(srv, token);
      await openSession(srv, token);
      const third = await mcpPost(srv, token, INIT);
      assert.equal(third.status, 429);
      assert.equal(codeOf(third), 'too_many_sessions');
      assert.match((third.body as { error: string }).error, /maxMcpSessionsPerToken/);
      await openSession(srv, srv.tokens.bob as string); // another token has its own allowance
      const deleted = await fetch(`${srv.url}/mcp`, {
        method: 'DELETE',
        headers: {
          authorization: `Bearer ${token}`,
          'mcp-session-id': a,
          'mcp-protocol-version': '2025-11-25',
        },
      });
      assert.equal(deleted.status, 200);
      await openSession(srv, token);
    } finally {
      await srv.close();
    }
  });

  test('an MCP session idle for mcpSessionIdleMs is closed and frees its place', async () => {
    const srv = await startTestServer({ config: { maxMcpSessionsPerToken: 1, mcpSessionIdleMs: 300 } });
    try {
      const token = srv.tokens.alice as string;
      const idle = await openSession(srv, token);
      let reopened = 0;
      for (const deadline = Date.now() + 10_000; reopened !== 200 && Date.now() < deadline; ) {
        await new Promise((res) => setTimeout(res, 100));
        reopened = (await mcpPost(srv, token, INIT)).status;
      }
      assert.equal(reopened, 200, 'the idle session expired and freed the allowance');
      const stale = await mcpPost(srv, token, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, idle);
      assert.equal(stale.status, 404);
    } finally {
      await srv.close();
    }
  });

  test('revoking a token closes its sessions; a re-issued token with the same id cannot use them', async () => {
    const srv = await startTestServer();
    try {
      const old = srv.tokens.alice as string;
      const session = await openSession(srv, old);
      const client = new Client({ name: 'sdk', version: '1' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${old}` } },
        }),
      );
      const reissued = createTokenSecret('alice');
      await reloadTokens(srv, [{ id: 'alice', secret: reissued }]);
      const takeover = await mcpPost(srv, reissued, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, session);
      assert.equal(takeover.status, 404, 'the new secret does not inherit the old sessions');
      assert.equal(codeOf(takeover), 'not_found');
      assert.equal(
        (await mcpPost(srv, old, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, session)).status,
        401,
      );
      const gauge = await srv.server.deps.metrics.mcpSessions.get();
      assert.equal(gauge.values[0]?.value, 0, 'the revoked token has no session left');
      await client.close().catch(() => undefined);
    } finally {
      await srv.close();
    }
  });
});
