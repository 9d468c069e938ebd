import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ERROR_CODES } from '../../src/errors.ts';
import { createGateway, type Gateway } from '../../src/gateway/gateway.ts';
import { type GatewayHttpServer, listenGatewayHttp } from '../../src/gateway/http-front.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import {
  configOf,
  LAZY_MCP_BIN,
  REPO_ROOT,
  SERVERS,
  tempDir,
  writeServersJson,
} from '../helpers/gateway-servers.ts';

const run = promisify(execFile);
const TOKEN = 'test-token-123';
const init = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
};

async function jsonOf(res: Response): Promise<Record<string, string>> {
  return (await res.json()) as Record<string, string>;
}

/** node:http, because fetch will not send a Host header of our choosing. */
function rawPost(
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/mcp',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          authorization: `Bearer ${TOKEN}`,
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTP transport', () => {
  let gateway: Gateway;
  let http: GatewayHttpServer;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(http.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${TOKEN}`,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  before(async () => {
    const config = configOf({
      servers: [SERVERS.everything],
      transport: {
        type: 'http',
        port: 0,
        authToken: TOKEN,
        maxPayloadSize: 2048,
        allowedOrigins: ['https://app.example'],
      },
    });
    gateway = createGateway(config, createSilentLogger());
    http = await listenGatewayHttp(gateway, createSilentLogger(), config.transport);
  });
  after(async () => {
    await http.close();
    await gateway.close();
  });

  test('no bearer token → 401 with the JSON envelope', async () => {
    for (const authorization of ['', 'Bearer wrong', `Basic ${TOKEN}`]) {
      const res = await post(init, { authorization });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="lazy-mcp"');
      const body = await jsonOf(res);
      assert.equal(body.error_code, 'unauthorized');
      assert.match(body.error ?? '', /Authorization: Bearer/);
    }
  });

  test('a foreign Host header → 403 (DNS rebinding), X-Forwarded-Host is not trusted', async () => {
    const evil = await rawPost(http.port, JSON.stringify(init), {
      host: 'evil.example',
      'x-forwarded-host': 'localhost',
    });
    assert.equal(evil.status, 403);
    assert.deepEqual(Object.keys(JSON.parse(evil.body)).sort(), ['error', 'error_code']);
    assert.equal(JSON.parse(evil.body).error_code, 'host_not_allowed');
    const ok = await rawPost(http.port, JSON.stringify(init), { host: `localhost:${http.port}` });
    assert.equal(ok.status, 200);
  });

  test('an Origin outside allowedOrigins → 403; a listed one passes', async () => {
    const bad = await post(init, { origin: 'https://evil.example' });
    assert.equal(bad.status, 403);
    assert.equal((await jsonOf(bad)).error_code, 'host_not_allowed');
    const good = await post(init, { origin: 'https://app.example' });
    assert.equal(good.status, 200);
  });

  test('a body over maxPayloadSize → 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ ...init, params: { ...init.params, pad: 'x'.repeat(4096) } });
    const declared = await post(big);
    assert.equal(declared.status, 413);
    assert.equal((await jsonOf(declared)).error_code, 'payload_too_large');
    const chunked = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(big));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
  });

  test('every error answer uses a code from the error table', async () => {
    const bad = await post('{not json');
    assert.equal(bad.status, 400);
    const codes = [(await jsonOf(bad)).error_code];
    const lost = await post(init, { 'mcp-session-id': 'no-such-session' });
    assert.equal(lost.status, 404);
    codes.push((await jsonOf(lost)).error_code);
    const elsewhere = await fetch(http.url.replace('/mcp', '/other'));
    codes.push((await jsonOf(elsewhere)).error_code);
    for (const code of codes) assert.ok(String(code) in ERROR_CODES, `${code} is in src/errors.ts`);
  });

  test('the SDK client works end to end over Streamable HTTP', async () => {
    const client = new Client({ name: 'sdk', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(http.url), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
    const { tools } = await client.listTools();
    assert.equal(tools.length, 4);
    const result = await client.callTool({
      name: 'invoke_command',
      arguments: { server: 'everything', command: 'echo', parameters: { message: 'over http' } },
    });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: over http' }]);
    await client.close();
  });

  test('the MCP Inspector CLI can call lazy-mcp over stdio', async () => {
    const dir = tempDir();
    const config = writeServersJson(dir, { servers: [SERVERS.everything], logging: { level: 'error' } });
    const { stdout } = await run(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules/@modelcontextprotocol/inspector/cli/build/cli.js'),
        '--cli',
        '-e',
        `LAZY_MCP_CONFIG=${config}`,
        process.execPath,
        LAZY_MCP_BIN,
        '--method',
        'tools/call',
        '--tool-name',
        'invoke_command',
        '--tool-arg',
        'server=everything',
        '--tool-arg',
        'command=echo',
        '--tool-arg',
        'parameters={"message":"inspector"}',
      ],
      { timeout: 60_000 },
    );
    assert.equal(JSON.parse(stdout).content[0].text, 'Echo: inspector');
  });
});
