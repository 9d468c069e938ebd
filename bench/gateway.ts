// Overhead of the gateway: invoke_command and direct mode through lazy-mcp (HTTP → stdio
// server-everything) against server-everything's own Streamable HTTP, npm mcp-proxy and
// supergateway, in the same run, alternating. `--smoke` runs a few seconds.
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { machineInfo, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, formatRate, markdownTable } from './lib/table.ts';

// The SDK client adds an abort listener per request to its session signal; not our concern here.
process.removeAllListeners('warning');
const smoke = process.argv.includes('--smoke');
const durationMs = smoke ? 700 : 4000;
const rounds = smoke ? 1 : 3;
const root = join(import.meta.dirname, '..');
const everything = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

interface Target {
  name: string;
  url: string;
  tool: string;
  args: Record<string, unknown>;
  child: ChildProcess;
}

async function waitListening(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      await fetch(url, { method: 'GET' });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`${url} never started listening`);
}

async function start(
  name: string,
  argv: string[],
  env: Record<string, string>,
  url: string,
  tool: string,
  args: Record<string, unknown>,
): Promise<Target> {
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...env },
    stdio: 'ignore',
    detached: true,
  });
  await waitListening(url);
  return { name, url, tool, args, child };
}

async function measure(target: Target, sessions: number): Promise<{ latencies: number[]; rps: number }> {
  const clients = await Promise.all(
    Array.from({ length: sessions }, async () => {
      const c = new Client({ name: 'bench', version: '1' });
      await c.connect(new StreamableHTTPClientTransport(new URL(target.url)));
      await c.callTool({ name: target.tool, arguments: target.args }); // warm-up
      return c;
    }),
  );
  const latencies: number[] = [];
  const until = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await c.callTool({ name: target.tool, arguments: target.args });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.close().catch(() => {})));
  return { latencies, rps: latencies.length / elapsed };
}

const ports = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
const dir = join(tmpdir(), `lazy-mcp-bench-${process.pid}`);
const cfg = (mode: string, port: number) => {
  const path = `${dir}-${mode}.json`;
  writeFileSync(
    path,
    JSON.stringify({
      servers: [{ name: 'everything', description: 'bench', command: ['node', everything, 'stdio'] }],
      transport: { type: 'http', port },
      logging: { level: 'error' },
      mode,
    }),
  );
  return path;
};
const echo = { message: 'bench' };
const lazyBin = join(root, 'bin/lazy-mcp.js');
const targets = [
  await start(
    'direct (server-everything HTTP)',
    [everything, 'streamableHttp'],
    { PORT: String(ports[0]) },
    `http://127.0.0.1:${ports[0]}/mcp`,
    'echo',
    echo,
  ),
  await start(
    'lazy-mcp invoke_command',
    [lazyBin, '--config', cfg('lazy', ports[1] ?? 0)],
    {},
    `http://127.0.0.1:${ports[1]}/mcp`,
    'invoke_command',
    { server: 'everything', command: 'echo', parameters: echo },
  ),
  await start(
    'lazy-mcp direct mode',
    [lazyBin, '--config', cfg('direct', ports[2] ?? 0)],
    {},
    `http://127.0.0.1:${ports[2]}/mcp`,
    'everything__echo',
    echo,
  ),
  await start(
    'mcp-proxy (npm)',
    [
      join(root, 'node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs'),
      '--port',
      String(ports[3]),
      '--',
      'node',
      everything,
      'stdio',
    ],
    {},
    `http://127.0.0.1:${ports[3]}/mcp`,
    'echo',
    echo,
  ),
  await start(
    'supergateway (npm)',
    [
      join(root, 'node_modules/supergateway/dist/index.js'),
      '--stdio',
      `node ${everything} stdio`,
      '--outputTransport',
      'streamableHttp',
      '--stateful',
      '--port',
      String(ports[4]),
    ],
    {},
    `http://127.0.0.1:${ports[4]}/mcp`,
    'echo',
    echo,
  ),
];

const results = new Map<string, { c1: number[]; rps1: number[]; c16: number[]; rps16: number[] }>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
      const r = results.get(t.name) ?? { c1: [], rps1: [], c16: [], rps16: [] };
      const one = await measure(t, 1);
      const many = await measure(t, 16);
      r.c1.push(...one.latencies);
      r.rps1.push(one.rps);
      r.c16.push(...many.latencies);
      r.rps16.push(many.rps);
      results.set(t.name, r);
    }
  }
} finally {
  for (const t of targets) {
    try {
      process.kill(-(t.child.pid ?? 0), 'SIGTERM');
    } catch {}
  }
}

const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
const direct = results.get(targets[0]?.name ?? '');
const directP50 = direct ? median(direct.c1) : 0;
const directRps16 = direct ? median(direct.rps16) : 1;
const rows = targets.map((t) => {
  const r = results.get(t.name);
  if (!r) return [t.name];
  const sorted = [...r.c1].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  return [
    t.name,
    formatMs(p50),
    formatMs(percentile(sorted, 99)),
    t === targets[0] ? '—' : `${p50 >= directP50 ? '+' : ''}${formatMs(p50 - directP50)}`,
    formatRate(median(r.rps1)),
    formatRate(median(r.rps16)),
    `${(median(r.rps16) / directRps16).toFixed(2)}×`,
  ];
});
const table = markdownTable(
  [
    { title: 'path (tools/call echo)' },
    { title: 'p50 ms c=1', right: true },
    { title: 'p99 ms c=1', right: true },
    { title: 'added p50', right: true },
    { title: 'req/s c=1', right: true },
    { title: 'req/s c=16', right: true },
    { title: 'vs direct c=16', right: true },
  ],
  rows,
);
console.log(table);
console.log(
  `\n${rounds} alternating rounds × ${durationMs} ms per target and concurrency; ${JSON.stringify(machineInfo())}`,
);
const out = writeResults(smoke ? 'gateway-smoke' : 'gateway', {
  machine: machineInfo(),
  durationMs,
  rounds,
  table,
  rows,
});
console.log(`wrote ${out}`);
process.exit(0);
