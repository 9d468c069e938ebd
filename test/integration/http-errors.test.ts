import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { defineTool } from '../../src/tools/define-tool.ts';
import { rawRequest } from '../helpers/raw-http.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** A tool that waits until released or aborted, to hold a concurrency slot or pass a timeout. */
function makeSleepTool(state: { aborted: number; release?: () => void }) {
  return defineTool({
    name: 'test_sleep',
    description: 'waits',
    scope: 'search',
    input: z.object({ ms: z.number().default(60_000) }),
    run: (args, ctx) =>
      new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('slept'), args.ms);
        state.release = () => {
          clearTimeout(timer);
          resolve('released');
        };
        ctx.signal.addEventListener('abort', () => {
          state.aborted++;
          clearTimeout(timer);
          resolve('aborted');
        });
      }),
  });
}

const crashTool = defineTool({
  name: 'test_crash',
  description: 'throws a plain Error',
  scope: 'search',
  input: z.object({}),
  run: async () => {
    throw new Error('secret internal detail /etc/shadow');
  },
});

async function expectEnvelope(
  res: Response,
  status: number,
  code: ErrorCode,
): Promise<Record<string, unknown>> {
  assert.equal(res.status, status, `status for ${code}`);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body.error_code, code);
  assert.equal(typeof body.error, 'string');
  assert.ok((body.error as string).length > 10, 'the message says what is wrong');
  assert.equal(ERROR_CODES[code].status, status);
  return body;
}

describe('every error code over real HTTP is a JSON envelope', () => {
  const sleepState = { aborted: 0 } as { aborted: number; release?: () => void };
  let srv: RunningTestServer;

  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'events-only', scopes: ['events'] },
        { id: 'limited', role: 'admin', workspaces: ['main'] },
      ],
      extraWorkspaces: [{ id: 'other', files: { 'x.txt': 'x' } }],
      tools: [...builtinTools(), makeSleepTool(sleepState), crashTool],
      config: { maxBodyBytes: 1024, requestTimeoutMs: 300, maxConcurrency: 1 },
    });
  });
  after(() => srv.close());

  test('invalid_request: a body that is not JSON, and a body of the wrong shape', async () => {
    const notJson = await srv.request('/v1/tools/call', {
      method: 'POST',
      as: 'alice',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    await expectEnvelope(notJson, 400, 'invalid_request');
    const wrongShape = await callTool(srv, 'alice', { tool: 'ctx_read' });
    const body = await expectEnvelope(wrongShape, 400, 'invalid_request');
    assert.match(body.error as string, /name|tool/);
  });

  test('invalid_arguments names the field', async () => {
    const res = await callTool(srv, 'alice', { name: 'ctx_read', arguments: { path: 5 } });
    const body = await expectEnvelope(res, 400, 'invalid_arguments');
    assert.match(body.error as string, /path/);
    assert.ok(Array.isArray(body.issues));
  });

  test('unknown_workspace from the header', async () => {
    const res = await callTool(srv, 'alice', { name: 'ctx_tree' }, { 'x-leanctx-workspace': 'nope' });
    const body = await expectEnvelope(res, 400, 'unknown_workspace');
    assert.deepEqual(body.known, ['main', 'other']);
  });

  test('unauthorized: missing, malformed and unknown tokens', async () => {
    await expectEnvelope(await srv.request('/v1/manifest'), 401, 'unauthorized');
    await expectEnvelope(
      await srv.request('/v1/manifest', { headers: { authorization: 'Basic abc' } }),
      401,
      'unauthorized',
    );
    await expectEnvelope(
      await srv.request('/v1/manifest', { headers: { authorization: 'Bearer lctx_t_x_nope' } }),
      401,
      'unauthorized',
    );
  });

  test('scope_denied gives the required scope', async () => {
    const res = await callTool(srv, 'events-only', { name: 'ctx_read', arguments: { path: 'README.md' } });
    const body = await expectEnvelope(res, 403, 'scope_denied');
    assert.deepEqual(body.required, ['search']);
    await expectEnvelope(await srv.request('/v1/metrics', { as: 'events-only' }), 403, 'scope_denied');
  });

  test('workspace_denied for a token limited to other workspaces', async () => {
    const res = await callTool(srv, 'limited', { name: 'ctx_tree' }, { 'x-workspace': 'other' });
    await expectEnvelope(res, 403, 'workspace_denied');
  });

  test('host_not_allowed for a foreign Host header', async () => {
    const res = await rawRequest(Number(new URL(srv.url).port), {
      path: '/v1/manifest',
      headers: { host: 'evil.example:80' },
    });
    assert.equal(res.status, 403);
    assert.equal(JSON.parse(res.body).error_code, 'host_not_allowed');
    const badOrigin = await srv.request('/v1/manifest', {
      as: 'alice',
      headers: { origin: 'http://evil.example' },
    });
    await expectEnvelope(badOrigin, 403, 'host_not_allowed');
  });

  test('not_found for an unknown route, unknown_tool for an unknown tool', async () => {
    await expectEnvelope(await srv.request('/v1/nope', { as: 'alice' }), 404, 'not_found');
    await expectEnvelope(await srv.request('/nope'), 404, 'not_found');
    const res = await callTool(srv, 'alice', { name: 'ctx_nope' });
    await expectEnvelope(res, 404, 'unknown_tool');
  });

  test('payload_too_large by Content-Length and while streaming a chunked body', async () => {
    const big = JSON.stringify({ name: 'ctx_read', arguments: { path: 'x'.repeat(5000) } });
    const body = await expectEnvelope(
      await callTool(srv, 'alice', JSON.parse(big)),
      413,
      'payload_too_large',
    );
    assert.equal(body.limit, 1024);
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(500)));
        controller.close();
      },
    });
    const streamed = await fetch(`${srv.url}/v1/tools/call`, {
      method: 'POST',
      headers: { authorization: `Bearer ${srv.tokens.alice}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    await expectEnvelope(streamed, 413, 'payload_too_large');
  });

  test('request_timeout cancels the tool through its AbortSignal', async () => {
    const before = sleepState.aborted;
    const res = await callTool(srv, 'alice', { name: 'test_sleep', arguments: { ms: 60_000 } });
    const body = await expectEnvelope(res, 504, 'request_timeout');
    assert.equal(body.timeoutMs, 300);
    assert.equal(sleepState.aborted, before + 1);
  });

  test('overloaded once maxConcurrency tool calls run, with Retry-After', async () => {
    await srv.server.reload({ ...srv.server.deps.state.config(), requestTimeoutMs: 30_000 });
    const slow = callTool(srv, 'alice', { name: 'test_sleep', arguments: { ms: 20_000 } });
    while (srv.server.deps.inFlight.count === 0) await new Promise((r) => setTimeout(r, 5));
    const res = await callTool(srv, 'alice', { name: 'ctx_tree' });
    await expectEnvelope(res, 503, 'overloaded');
    assert.equal(res.headers.get('retry-after'), '1');
    sleepState.release?.();
    assert.equal((await slow).status, 200);
  });

  test('a REST client that hangs up cancels its tool call and frees the slot', async () => {
    await srv.server.reload({ ...srv.server.deps.state.config(), requestTimeoutMs: 30_000 });
    const before = sleepState.aborted;
    const client = new AbortController();
    const call = callTool(srv, 'alice', { name: 'test_sleep', arguments: { ms: 20_000 } }, {}, client.signal);
    while (srv.server.deps.inFlight.count === 0) await new Promise((r) => setTimeout(r, 5));
    client.abort();
    await assert.rejects(call);
    const deadline = Date.now() + 5000;
    while (sleepState.aborted === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(sleepState.aborted, before + 1, 'the tool saw its AbortSignal fire');
    while (srv.server.deps.inFlight.count > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(srv.server.deps.inFlight.count, 0);
  });

  test('internal_error says nothing internal', async () => {
    const res = await callTool(srv, 'alice', { name: 'test_crash' });
    const body = await expectEnvelope(res, 500, 'internal_error');
    assert.doesNotMatch(JSON.stringify(body), /shadow|secret internal/);
    assert.equal(typeof body.requestId, 'string');
  });
});

describe('rate and budget limits', () => {
  test('rate_limited per token with Retry-After, other tokens unaffected', async () => {
    const srv = await startTestServer({
      tokens: [
        { id: 'a', role: 'admin' },
        { id: 'b', role: 'admin' },
      ],
      config: { maxRps: 0.5, rateBurst: 2 },
    });
    try {
      assert.equal((await srv.request('/v1/manifest', { as: 'a' })).status, 200);
      assert.equal((await srv.request('/v1/manifest', { as: 'a' })).status, 200);
      const limited = await srv.request('/v1/manifest', { as: 'a' });
      await expectEnvelope(limited, 429, 'rate_limited');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
      assert.equal((await srv.request('/v1/manifest', { as: 'b' })).status, 200);
      assert.equal((await srv.request('/health')).status, 200, '/health has no rate limit');
    } finally {
      await srv.close();
    }
  });

  test('unauthenticated attempts spend the client address bucket', async () => {
    const srv = await startTestServer({ config: { maxRps: 0.5, rateBurst: 2 } });
    try {
      await expectEnvelope(await srv.request('/v1/manifest'), 401, 'unauthorized');
      await expectEnvelope(await srv.request('/v1/manifest'), 401, 'unauthorized');
      await expectEnvelope(await srv.request('/v1/manifest'), 429, 'rate_limited');
    } finally {
      await srv.close();
    }
  });

  test('budget_exhausted once the daily context-token budget is used', async () => {
    const srv = await startTestServer({ config: { governance: { budget: { max_context_tokens: 5 } } } });
    try {
      assert.equal((await callTool(srv, 'alice', { name: 'ctx_tree' })).status, 200);
      const res = await callTool(srv, 'alice', { name: 'ctx_tree' });
      const body = await expectEnvelope(res, 429, 'budget_exhausted');
      assert.equal(body.limit, 5);
    } finally {
      await srv.close();
    }
  });
});
