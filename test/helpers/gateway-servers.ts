import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseServersConfig, type ServersConfig } from '../../src/config/servers-config.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.ts';
import { createSilentLogger, type GatewayLogger } from '../../src/gateway/logger.ts';
import { createGatewayMcpServer } from '../../src/gateway/mcp-front.ts';

const root = resolve(import.meta.dirname, '../..');
const bin = (pkg: string) => join(root, 'node_modules/@modelcontextprotocol', pkg, 'dist/index.js');

/** Real downstream servers from node_modules, as servers.json entries. */
export const SERVERS = {
  everything: {
    name: 'everything',
    description: 'MCP reference test server',
    command: ['node', bin('server-everything'), 'stdio'],
  },
  memory: { name: 'memory', description: 'Knowledge-graph memory', command: ['node', bin('server-memory')] },
  thinking: {
    name: 'thinking',
    description: 'Sequential thinking',
    command: ['node', bin('server-sequential-thinking')],
  },
  filesystem: (dir: string) => ({
    name: 'filesystem',
    description: 'Files under a directory',
    command: ['node', bin('server-filesystem'), dir],
  }),
  fixture: (...flags: string[]) => ({
    name: 'fixture',
    description: 'Gateway test server (hang, crash, progress)',
    command: ['node', join(root, 'test/fixtures/gateway-test-server.mjs'), ...flags],
  }),
} as const;

export const EVERYTHING_BIN = bin('server-everything');
export const REPO_ROOT = root;
export const LAZY_MCP_BIN = join(root, 'bin/lazy-mcp.js');

export function tempDir(prefix = 'lazy-mcp-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeServersJson(dir: string, body: unknown): string {
  const path = join(dir, 'servers.json');
  writeFileSync(path, JSON.stringify(body, null, 2));
  return path;
}

/** A validated config whose OAuth state goes to a temp XDG directory, never the user's. */
export function configOf(body: Record<string, unknown>, dir = tempDir()): ServersConfig {
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'xdg') };
  return parseServersConfig(body, { baseDir: dir, path: join(dir, 'servers.json'), env });
}

export interface GatewayClient {
  gateway: Gateway;
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  text(name: string, args?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

/** A real SDK client talking to the gateway's MCP server over an in-memory pair. */
export async function connectGateway(
  body: Record<string, unknown>,
  opts: GatewayOptions & { logger?: GatewayLogger } = {},
): Promise<GatewayClient> {
  const config = configOf(body);
  const logger = opts.logger ?? createSilentLogger();
  const gateway = createGateway(config, logger, opts);
  const server = createGatewayMcpServer(gateway, logger);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(b);
  const call = async (name: string, args: Record<string, unknown> = {}) =>
    (await client.callTool({ name, arguments: args })) as CallToolResult;
  return {
    gateway,
    client,
    call,
    async text(name, args) {
      const result = await call(name, args);
      const first = result.content[0];
      return first?.type === 'text' ? first.text : '';
    },
    async close() {
      await client.close();
      await server.close();
      await gateway.close();
    },
  };
}

export interface LazyMcpChild {
  client: Client;
  call(name: string, args?: Record<string, unknown>): Promise<CallToolResult>;
  /** What lazy-mcp wrote to stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** A real SDK client talking to `lazy-mcp ARGS`, run as a child process over stdio. */
export async function connectLazyMcp(
  args: string[],
  opts: { env?: Record<string, string>; cwd?: string } = {},
): Promise<LazyMcpChild> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [LAZY_MCP_BIN, ...args],
    env: { ...(process.env as Record<string, string>), ...opts.env },
    cwd: opts.cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(transport);
  return {
    client,
    call: async (name, callArgs = {}) =>
      (await client.callTool({ name, arguments: callArgs })) as CallToolResult,
    stderr: () => stderr,
    close: () => client.close(),
  };
}

export function textOf(result: CallToolResult): string {
  const first = result.content[0];
  return first?.type === 'text' ? first.text : '';
}

/** Pids of live (non-zombie) processes in a process group. */
export function groupMembers(pgid: number): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,stat='], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && stat !== undefined && !stat.startsWith('Z'))
    .map(([p]) => Number(p));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `check` holds (no fixed sleeps in tests); fails after `ms`. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  ms = 15_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}
