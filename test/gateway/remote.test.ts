import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type OAuthTestServer, startOAuthTestServer } from '../helpers/gateway-oauth-server.ts';
import {
  connectGateway,
  EVERYTHING_BIN,
  type GatewayClient,
  textOf,
  waitFor,
} from '../helpers/gateway-servers.ts';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startEverything(
  mode: 'streamableHttp' | 'sse',
): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [EVERYTHING_BIN, mode], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  await waitFor(async () => {
    try {
      await fetch(`http://127.0.0.1:${port}/`);
      return true;
    } catch {
      return false;
    }
  }, `server-everything ${mode} to listen`);
  return { child, port };
}

describe('remote downstream servers', () => {
  let http: { child: ChildProcess; port: number };
  let sse: { child: ChildProcess; port: number };
  before(async () => {
    [http, sse] = await Promise.all([startEverything('streamableHttp'), startEverything('sse')]);
  });
  after(() => {
    http.child.kill();
    sse.child.kill();
  });

  test('a Streamable HTTP server is connected lazily and called', async () => {
    const gw = await connectGateway({
      servers: [
        { name: 'remote', description: 'everything over HTTP', url: `http://127.0.0.1:${http.port}/mcp` },
      ],
    });
    try {
      assert.equal(gw.gateway.upstream('remote')?.status().running, false);
      const result = await gw.call('invoke_command', {
        server: 'remote',
        command: 'echo',
        parameters: { message: 'far' },
      });
      assert.equal(textOf(result), 'Echo: far');
      assert.equal(JSON.parse(await gw.text('list_servers')).servers[0].type, 'remote');
    } finally {
      await gw.close();
    }
  });

  test('an old HTTP+SSE server is reached through the SSE fallback', async () => {
    const gw = await connectGateway({
      servers: [{ name: 'old', description: 'everything over SSE', url: `http://127.0.0.1:${sse.port}/sse` }],
    });
    try {
      const result = await gw.call('invoke_command', {
        server: 'old',
        command: 'echo',
        parameters: { message: 'sse' },
      });
      assert.equal(textOf(result), 'Echo: sse');
    } finally {
      await gw.close();
    }
  });
});

describe('OAuth 2.0 + PKCE to a remote server', () => {
  let auth: OAuthTestServer;
  let gw: GatewayClient;
  let callbackPort: number;
  before(async () => {
    auth = await startOAuthTestServer();
    callbackPort = await freePort();
    gw = await connectGateway({
      servers: [{ name: 'secure', description: 'needs OAuth', url: auth.mcpUrl, oauth: { callbackPort } }],
    });
  });
  after(async () => {
    await gw.close();
    await auth.close();
  });

  test('the first call returns the authorization URL; after the user approves, the retry succeeds', async () => {
    const first = await gw.call('invoke_command', { server: 'secure', command: 'whoami' });
    assert.equal(first.isError, true);
    const url = String(first._meta?.lazyMcpAuthorizationUrl ?? '');
    assert.ok(url.startsWith(`${auth.issuer}/authorize?`), url);
    assert.ok(textOf(first).includes(url), 'the URL is in the text for the agent to show');
    assert.match(url, /code_challenge_method=S256/);
    assert.equal(auth.registered.length, 1, 'the client registered itself (RFC 7591)');
    const again = await gw.call('invoke_command', { server: 'secure', command: 'whoami' });
    assert.equal(again._meta?.lazyMcpAuthorizationUrl, url, 'a second call hands out the pending URL');
    const listed = await gw.call('list_commands', { server: 'secure' });
    assert.equal(listed.isError, true);
    assert.equal(listed._meta?.lazyMcpAuthorizationUrl, url, 'list_commands carries the URL in _meta');
    assert.deepEqual(listed._meta?.lazyMcpAuthorizationUrls, { secure: url });
    const stateDir = gw.gateway.config.stateDir;
    assert.equal(stateDir, join(dirname(gw.gateway.config.path ?? ''), 'xdg', 'lazy-mcp'));
    const lock = join(stateDir, `oauth-callback-${callbackPort}.lock`);
    assert.equal(
      readFileSync(lock, 'utf8').trim(),
      String(process.pid),
      'the callback port is guarded by a pid lock',
    );

    // The "user" opens the URL; the server redirects to our callback with the code.
    const approve = await fetch(url, { redirect: 'manual' });
    const callback = approve.headers.get('location') ?? '';
    assert.ok(callback.startsWith(`http://localhost:${callbackPort}/callback?`), callback);
    const done = await fetch(callback.replace('localhost', '127.0.0.1')).catch((err) => {
      throw new Error(`callback fetch failed: ${err.cause?.message ?? err}`);
    });
    assert.equal(done.status, 200);
    assert.match(await done.text(), /Authorized/);

    const retry = await gw.call('invoke_command', { server: 'secure', command: 'whoami' });
    assert.equal(textOf(retry), 'an authorized caller');
    const tokens = join(stateDir, 'tokens.json');
    assert.equal(statSync(tokens).mode & 0o777, 0o600);
    assert.ok(
      !existsSync(join(dirname(gw.gateway.config.path ?? ''), 'tokens.json')),
      'nothing next to servers.json',
    );
    assert.ok(JSON.parse(readFileSync(tokens, 'utf8'))[`secure ${auth.mcpUrl}`].refresh_token);
    await waitFor(() => !existsSync(lock), 'the callback server to stop and release its lock');
  });

  test('an expired access token is refreshed with the refresh token', async () => {
    auth.expireAccessTokens();
    await gw.gateway.upstream('secure')?.stop();
    const result = await gw.call('invoke_command', { server: 'secure', command: 'whoami' });
    assert.equal(textOf(result), 'an authorized caller');
    assert.equal(auth.refreshes(), 1);
  });
});
