import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertFreshDist, LAZY_MCP_BIN, LEAN_CTX_BIN, startCli } from '../helpers/cli.ts';
import { makeTree } from '../helpers/team-server.ts';

// What each command may load is a contract: a heavy import that creeps back into the start-up
// path of --version, --help or the MCP handshake fails here by name.
const RECORDER = fileURLToPath(new URL('../helpers/record-imports.mjs', import.meta.url));
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;
const TRANSPILERS = ['tsx', 'esbuild', 'typescript'];
const ENGINE = ['web-tree-sitter', 'gpt-tokenizer', 'better-sqlite3', '@vscode/ripgrep', 'prom-client'];
const SERVING = ['@modelcontextprotocol/sdk', 'hono', '@hono/node-server', 'zod'];

/** npm package names of the modules a recording lists; tree-sitter grammars count as one. */
function packagesIn(recording: string): Set<string> {
  const names = new Set<string>();
  for (const m of recording.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)) {
    names.add(m[1]!.startsWith('tree-sitter-') ? 'tree-sitter grammars' : m[1]!);
  }
  return names;
}

function recordingFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'imports-')), 'loaded.txt');
}

function assertNoneLoaded(loaded: Set<string>, forbidden: readonly string[], what: string): void {
  const found = [...forbidden, 'tree-sitter grammars'].filter((name) => loaded.has(name));
  assert.deepEqual(found, [], `${what} loaded ${found.join(', ')}`);
}

function runRecorded(
  bin: string,
  args: string[],
): { stdout: string; recording: string; loaded: Set<string> } {
  assertFreshDist();
  const file = recordingFile();
  const r = spawnSync(process.execPath, ['--import', RECORDER, bin, ...args], {
    env: { ...process.env, RECORD_IMPORTS: file },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const recording = readFileSync(file, 'utf8');
  // The recorder saw the run: the bin's own entry is in the list.
  assert.match(recording, /\/dist\/main\.js\n/);
  return { stdout: r.stdout, recording, loaded: packagesIn(recording) };
}

/** Sends one JSON-RPC message and resolves with the next answer line. */
function exchange(child: ChildProcessWithoutNullStreams, message: object): Promise<{ id?: number }> {
  child.stdin.write(`${JSON.stringify(message)}\n`);
  if (!('id' in message)) return Promise.resolve({});
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const end = buffered.indexOf('\n');
      if (end < 0) return;
      child.stdout.off('data', onData);
      resolve(JSON.parse(buffered.slice(0, end)));
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`exited with ${code} before answering`)));
  });
}

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'test', version: '1' } },
};

describe('what a command loads at start-up', () => {
  for (const [bin, name] of [
    [LEAN_CTX_BIN, 'lean-ctx'],
    [LAZY_MCP_BIN, 'lazy-mcp'],
  ] as const) {
    test(`${name} --version prints the package version and loads no engine, server, SDK or transpiler module`, () => {
      const { stdout, loaded } = runRecorded(bin, ['--version']);
      assert.equal(stdout.trim(), VERSION);
      assertNoneLoaded(loaded, [...TRANSPILERS, ...ENGINE, ...SERVING], `${name} --version`);
    });

    test(`${name} --help prints usage and loads no engine, server, SDK or transpiler module`, () => {
      const { stdout, recording, loaded } = runRecorded(bin, ['--help']);
      assert.match(stdout, new RegExp(`^Usage: ${name} `));
      assert.ok(loaded.has('commander'), recording);
      assertNoneLoaded(loaded, [...TRANSPILERS, ...ENGINE, ...SERVING], `${name} --help`);
    });
  }

  test('lean-ctx mcp answers initialize before loading the engine, lists tools after it and warms the tokenizer unasked', async () => {
    assertFreshDist();
    const file = recordingFile();
    const child = spawn(process.execPath, ['--import', RECORDER, LEAN_CTX_BIN, 'mcp'], {
      cwd: makeTree({ 'a.ts': 'export const a = 1;\n' }),
      env: { ...process.env, RECORD_IMPORTS: file, XDG_DATA_HOME: mkdtempSync(join(tmpdir(), 'xdg-')) },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const init = await exchange(child, INITIALIZE);
      assert.equal(init.id, 1);
      const atInitialize = packagesIn(readFileSync(file, 'utf8'));
      assert.ok(atInitialize.has('@modelcontextprotocol/sdk'));
      assertNoneLoaded(atInitialize, [...TRANSPILERS, ...ENGINE, 'hono'], 'lean-ctx mcp before initialize');

      await exchange(child, { jsonrpc: '2.0', method: 'notifications/initialized' });
      const list = (await exchange(child, { jsonrpc: '2.0', id: 2, method: 'tools/list' })) as {
        result?: { tools: { name: string }[] };
      };
      assert.ok(
        list.result?.tools.some((t) => t.name === 'ctx_read'),
        JSON.stringify(list),
      );
    } finally {
      child.stdin.end();
      await exited;
    }
    // No tool call counted tokens: the tables were built by the warm-up after start.
    assert.ok(packagesIn(readFileSync(file, 'utf8')).has('gpt-tokenizer'));
  });

  test('lean-ctx team serve builds the tokenizer tables after it starts listening, before any request', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serve-'));
    const config = join(dir, 'team.json');
    const root = makeTree({ 'a.ts': 'export const a = 1;\n' });
    writeFileSync(config, JSON.stringify({ port: 0, workspaces: [{ id: 'main', root }], tokens: [] }));
    const file = recordingFile();
    const serve = startCli(['team', 'serve', '--config', config], {
      env: { RECORD_IMPORTS: file },
      nodeArgs: ['--import', RECORDER],
    });
    try {
      await serve.waitFor(/Team Server - 127\.0\.0\.1:\d+/);
    } finally {
      assert.equal(await serve.kill('SIGTERM'), 0);
    }
    assert.ok(packagesIn(readFileSync(file, 'utf8')).has('gpt-tokenizer'));
  });

  test('lazy-mcp over stdio answers initialize without loading the HTTP front, the remote transports or the engine', async () => {
    assertFreshDist();
    const dir = mkdtempSync(join(tmpdir(), 'lazy-'));
    const config = join(dir, 'servers.json');
    const everything = fileURLToPath(
      new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
    );
    writeFileSync(
      config,
      JSON.stringify({
        servers: [
          { name: 'everything', description: 'reference', command: [process.execPath, everything, 'stdio'] },
        ],
      }),
    );
    const file = recordingFile();
    const child = spawn(process.execPath, ['--import', RECORDER, LAZY_MCP_BIN, '--config', config], {
      env: { ...process.env, RECORD_IMPORTS: file },
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      assert.equal((await exchange(child, INITIALIZE)).id, 1);
      const recording = readFileSync(file, 'utf8');
      const loaded = packagesIn(recording);
      assert.ok(loaded.has('@modelcontextprotocol/sdk'));
      assertNoneLoaded(
        loaded,
        [...TRANSPILERS, ...ENGINE, 'hono', '@hono/node-server'],
        'lazy-mcp at initialize',
      );
      // Remote transports and the OAuth client wait for a remote server (none is configured).
      assert.doesNotMatch(recording, /\/sdk\/dist\/esm\/client\/(auth|sse|streamableHttp)\.js/);
    } finally {
      child.stdin.end();
      await exited;
    }
  });
});
