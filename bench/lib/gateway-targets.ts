import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { processCpuMs } from './process-cpu.ts';

/** One way for an SDK client to reach server-everything's `echo`, and what to call there. */
export interface Target {
  name: string;
  /** Which like-for-like group it is compared in; the first target of a group is its baseline. */
  group: 'stdio' | 'http';
  tool: string;
  args: Record<string, unknown>;
  /** A connected client: a new HTTP session, or a new stdio process tree. */
  connect(): Promise<Client>;
  /** The process the client talks to (the server, or the gateway in front of it). */
  pidOf(client: Client): number | undefined;
  /** Shares one client among concurrent callers (stdio has one session per process). */
  shared: boolean;
  close(): Promise<void>;
}

const root = join(import.meta.dirname, '../..');
export const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
export const LAZY_MCP = join(root, 'bin/lazy-mcp.js');

export { freePort } from '../../test/helpers/free-port.ts';

async function waitListening(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (
      await fetch(url, { method: 'GET' }).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} never started listening`);
}

function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(-(child.pid ?? 0), 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

/** A lazy-mcp servers.json with one server, in a temp file. */
export function lazyConfig(
  label: string,
  server: Record<string, unknown>,
  extra: Record<string, unknown>,
): string {
  const path = join(tmpdir(), `lazy-mcp-bench-${process.pid}-${label}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      servers: [{ name: 'everything', description: 'bench', ...server }],
      logging: { level: 'error' },
      healthMonitor: { enabled: false },
      ...extra,
    }),
  );
  return path;
}

/** A Streamable HTTP server in its own process group; node flags (profiling) go first. */
export async function httpTarget(
  spec: Omit<Target, 'connect' | 'shared' | 'close' | 'group' | 'pidOf'>,
  argv: string[],
  port: number,
  env: Record<string, string> = {},
): Promise<Target> {
  const url = `http://127.0.0.1:${port}/mcp`;
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: 'ignore',
    detached: true,
  });
  await waitListening(url);
  return {
    ...spec,
    group: 'http',
    shared: false,
    pidOf: () => child.pid,
    async connect() {
      const client = new Client({ name: 'bench', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      return client;
    },
    close: () => killGroup(child),
  };
}

/** A stdio server the SDK client spawns itself (one process tree per connection). */
export function stdioTarget(
  spec: Omit<Target, 'connect' | 'shared' | 'close' | 'group' | 'pidOf'>,
  argv: string[],
): Target {
  const pids = new WeakMap<Client, number | null>();
  return {
    ...spec,
    group: 'stdio',
    shared: true,
    async connect() {
      const client = new Client({ name: 'bench', version: '1' });
      const transport = new StdioClientTransport({ command: process.execPath, args: argv, stderr: 'ignore' });
      await client.connect(transport);
      pids.set(client, transport.pid);
      return client;
    },
    pidOf: (client) => pids.get(client) ?? undefined,
    close: async () => {},
  };
}

export interface Measured {
  latencies: number[];
  rps: number;
  /** CPU (µs) the process the client talks to spent per call; undefined off Linux. */
  cpuUsPerCall: number | undefined;
}

/**
 * `concurrency` callers for `durationMs`, each waiting for its answer before the next call:
 * separate sessions over HTTP, one shared session over stdio.
 */
export async function measure(target: Target, concurrency: number, durationMs: number): Promise<Measured> {
  const sessions = target.shared ? 1 : concurrency;
  const clients = await Promise.all(Array.from({ length: sessions }, () => target.connect()));
  const call = (c: Client) => c.callTool({ name: target.tool, arguments: target.args });
  await Promise.all(clients.map(call)); // warm-up: start the downstream, fill caches
  const latencies: number[] = [];
  const pid = target.pidOf(clients[0] as Client);
  const cpuBefore = pid === undefined ? undefined : processCpuMs(pid);
  const started = performance.now();
  const until = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, i) => {
      const client = clients[i % sessions] as Client;
      while (performance.now() < until) {
        const t0 = performance.now();
        await call(client);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const rps = latencies.length / ((performance.now() - started) / 1000);
  const cpuAfter = pid === undefined ? undefined : processCpuMs(pid);
  const cpuUsPerCall =
    cpuBefore === undefined || cpuAfter === undefined
      ? undefined
      : ((cpuAfter - cpuBefore) * 1000) / latencies.length;
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  return { latencies, rps, cpuUsPerCall };
}
