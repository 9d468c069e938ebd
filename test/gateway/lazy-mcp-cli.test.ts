import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  connectLazyMcp,
  LAZY_MCP_BIN,
  REPO_ROOT,
  SERVERS,
  tempDir,
  textOf,
  writeServersJson,
} from '../helpers/gateway-servers.ts';

/** Runs `lazy-mcp ARGS` to completion. */
function lazyMcp(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [LAZY_MCP_BIN, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `lazy-mcp ARGS` over HTTP and resolves with its URL once it listens. */
async function serveHttp(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [LAZY_MCP_BIN, '--transport', 'http', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /"url":"([^"]+)"/.exec(stderr);
      if (found?.[1]) resolve(found[1]);
    });
    child.once('exit', () => reject(new Error(`lazy-mcp exited: ${stderr}`)));
  });
  return {
    url,
    pid: child.pid as number,
    stderr: () => stderr,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '1' } },
});

function post(url: string, token: string | undefined) {
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: initialize,
  });
}

describe('lazy-mcp command line', () => {
  test("the seed's `lazy-mcp npx -y <pkg>` form wraps that command, its options included", async () => {
    const lazy = await connectLazyMcp(['npx', '-y', '@modelcontextprotocol/server-everything', 'stdio'], {
      cwd: REPO_ROOT,
    });
    try {
      const listed = JSON.parse(textOf(await lazy.call('list_servers')));
      assert.equal(listed.servers.length, 1);
      const name = listed.servers[0].name as string;
      assert.equal(name, 'server-everything');
      const echoed = await lazy.call('invoke_command', {
        server: name,
        command: 'echo',
        parameters: { message: 'wrapped' },
      });
      assert.match(textOf(echoed), /wrapped/);
    } finally {
      await lazy.close();
    }
  });

  test('--check with a wrapped command keeps lazy-mcp options before it and passes the rest on', () => {
    const r = lazyMcp(['--check', '--mode', 'direct', 'node', 'server.js', '--mode', 'x', '-y']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /1 servers, transport stdio, mode direct/);
  });

  test('--auth-token-file keeps the token out of the process list and guards the HTTP endpoint', async () => {
    const dir = tempDir();
    const token = 'file-token-7f3a9c2e1b';
    writeFileSync(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    const config = writeServersJson(dir, { servers: [SERVERS.fixture()] });
    const server = await serveHttp(['--config', config, '--auth-token-file', join(dir, 'token')]);
    try {
      const cmdline = readFileSync(`/proc/${server.pid}/cmdline`, 'utf8');
      assert.ok(!cmdline.includes(token), 'the token is not in the command line');
      assert.equal((await post(server.url, undefined)).status, 401);
      assert.equal((await post(server.url, 'wrong')).status, 401);
      assert.equal((await post(server.url, token)).status, 200);
    } finally {
      await server.stop();
    }
  });

  test('the token is also read from LAZY_MCP_AUTH_TOKEN; --auth-token works with a warning about ps', async () => {
    const config = writeServersJson(tempDir(), { servers: [SERVERS.fixture()] });
    const fromEnv = await serveHttp(['--config', config], { LAZY_MCP_AUTH_TOKEN: 'env-token-1' });
    try {
      assert.equal((await post(fromEnv.url, 'env-token-1')).status, 200);
      assert.equal((await post(fromEnv.url, undefined)).status, 401);
    } finally {
      await fromEnv.stop();
    }
    const fromFlag = await serveHttp(['--config', config, '--auth-token', 'flag-token-1']);
    try {
      assert.equal((await post(fromFlag.url, 'flag-token-1')).status, 200);
      assert.match(fromFlag.stderr(), /--auth-token is visible .*--auth-token-file/);
    } finally {
      await fromFlag.stop();
    }
  });

  test('a missing token file stops start-up naming the file and the flag', () => {
    const config = writeServersJson(tempDir(), { servers: [SERVERS.fixture()] });
    const r = lazyMcp(['--check', '--config', config, '--auth-token-file', '/nonexistent/token']);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /Cannot read secret file '\/nonexistent\/token' \(from --auth-token-file\): ENOENT/,
    );
  });

  test('a literal ~ in --config and LAZY_MCP_CONFIG is the home directory', () => {
    const home = tempDir();
    mkdirSync(join(home, 'cfg'));
    writeServersJson(join(home, 'cfg'), { servers: [SERVERS.fixture()] });
    const flag = lazyMcp(['--check', '--config', '~/cfg/servers.json'], { HOME: home });
    assert.equal(flag.status, 0, flag.stderr);
    assert.match(flag.stdout, new RegExp(`${join(home, 'cfg', 'servers.json')}: 1 servers`));
    const env = lazyMcp(['--check'], { HOME: home, LAZY_MCP_CONFIG: '~/cfg/servers.json' });
    assert.equal(env.status, 0, env.stderr);
  });

  test('--check reads a Claude Desktop config with comments, warns about what it does not keep, and refuses an ftp url', () => {
    const dir = tempDir();
    const desktop = join(dir, 'claude_desktop_config.json');
    writeFileSync(
      desktop,
      `{
  // copied from Claude Desktop
  "mcpServers": {
    "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "autoApprove": [], },
  },
}`,
    );
    const ok = lazyMcp(['--check', '--config', desktop]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /1 servers/);
    assert.match(ok.stderr, /warning: mcpServers\.memory\.autoApprove: ignored/);
    const ftp = writeServersJson(dir, {
      servers: [{ name: 'f', description: 'f', url: 'ftp://example.com/mcp' }],
    });
    const refused = lazyMcp(['--check', '--config', ftp]);
    assert.equal(refused.status, 2);
    assert.match(
      refused.stderr,
      /servers\[0\] \(f\)\.url: "ftp:\/\/example\.com\/mcp" is not an http\(s\) URL/,
    );
  });

  test('a client line over 10 MiB on stdio ends lazy-mcp with exit code 1 and a logged reason, not a hang', async () => {
    const config = writeServersJson(tempDir(), { servers: [SERVERS.fixture()] });
    const child = spawn(process.execPath, [LAZY_MCP_BIN, '--config', config], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.on('error', () => {});
    child.stdin.write(
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":"${'x'.repeat(11 * 1024 * 1024)}"}}\n`,
    );
    assert.equal(await exited, 1);
    assert.match(stderr, /ReadBuffer exceeded maximum size of 10485760 bytes/);
    assert.match(stderr, /the client connection closed/);
  });
});
