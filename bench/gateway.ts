// Overhead of the gateway, like against like, in the same run and alternating:
// - stdio: an SDK client over stdio straight to server-everything, vs over stdio to lazy-mcp
//   (invoke_command and direct mode, on the raw path and with `forwarding: "sdk"`) in front of
//   server-everything over stdio, and vs a relay that copies bytes (the floor of any gateway);
// - http: server-everything's own Streamable HTTP, vs lazy-mcp over HTTP in front of that same
//   HTTP server as a remote downstream (invoke_command, direct mode);
// - peers: lazy-mcp, npm mcp-proxy and supergateway, each HTTP in front of stdio
//   server-everything (the bridge all three offer).
// `--smoke` runs a few seconds; `--profile` writes CPU profiles of the lazy-mcp processes;
// `--only <prefix>` measures the rows whose name starts with it (and the direct baselines);
// `--duration <ms>` and `--rounds <n>` override the length of a run; `--help` prints this.
import { join } from 'node:path';
import {
  EVERYTHING,
  freePort,
  httpTarget,
  LAZY_MCP,
  lazyConfig,
  type Measured,
  measure,
  stdioTarget,
  type Target,
} from './lib/gateway-targets.ts';
import { machineInfo, profileFlags, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, formatRate, markdownTable } from './lib/table.ts';

// The SDK client adds an abort listener per request to its session signal; not our concern here.
process.removeAllListeners('warning');
if (process.argv.includes('--help')) {
  console.log(`usage: node --import tsx bench/gateway.ts [options]
  --smoke           1 round × 700 ms per target and concurrency (default 3 × 3000 ms)
  --only <prefix>   only the rows whose name starts with <prefix> (plus the direct baselines)
  --duration <ms>   ms per target and concurrency
  --rounds <n>      alternating rounds
  --profile         write --cpu-prof profiles of the lazy-mcp processes to bench/results/profiles/`);
  process.exit(0);
}
const flag = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const smoke = process.argv.includes('--smoke');
const profile = process.argv.includes('--profile');
const durationMs = Number(flag('--duration') ?? (smoke ? 700 : 3000));
const rounds = Number(flag('--rounds') ?? (smoke ? 1 : 3));
const root = join(import.meta.dirname, '..');
const echo = { message: 'bench' };
const viaInvoke = {
  tool: 'invoke_command',
  args: { server: 'everything', command: 'echo', parameters: echo },
};
const viaDirect = { tool: 'everything__echo', args: echo };
const stdioServer = { command: [process.execPath, EVERYTHING, 'stdio'] };
const lazy = (label: string) => [...profileFlags(profile, `gateway-${label}`), LAZY_MCP];
const relay = join(root, 'bench/servers/byte-relay.mjs');

const [remotePort, directHttpPort, ...ports] = await Promise.all(Array.from({ length: 8 }, freePort));
const port = (i: number) => ports[i] as number;
const remoteUrl = `http://127.0.0.1:${remotePort}/mcp`;
const started: Target[] = [];
const track = async (t: Promise<Target>) => {
  try {
    const target = await t;
    started.push(target);
    return target;
  } catch (err) {
    await Promise.all(started.map((s) => s.close()));
    throw err;
  }
};
// The remote downstream the http rows call through (closed with the rest, not measured).
await track(
  httpTarget(
    { name: 'downstream (not measured)', tool: 'echo', args: echo },
    [EVERYTHING, 'streamableHttp'],
    remotePort as number,
    { PORT: String(remotePort) },
  ),
);
const http = (label: string, server: Record<string, unknown>, mode: string, p: number) => [
  ...lazy(label),
  '--config',
  lazyConfig(label, server, { mode, transport: { type: 'http', port: p } }),
];

const targets: Target[] = [
  stdioTarget({ name: 'stdio: direct to server-everything', tool: 'echo', args: echo }, [
    EVERYTHING,
    'stdio',
  ]),
  stdioTarget({ name: 'stdio: lazy-mcp invoke_command', ...viaInvoke }, [
    ...lazy('stdio-lazy'),
    '--config',
    lazyConfig('stdio-lazy', stdioServer, { mode: 'lazy' }),
  ]),
  stdioTarget({ name: 'stdio: lazy-mcp direct mode', ...viaDirect }, [
    ...lazy('stdio-direct'),
    '--config',
    lazyConfig('stdio-direct', stdioServer, { mode: 'direct' }),
  ]),
  stdioTarget({ name: 'stdio: lazy-mcp invoke_command, forwarding sdk', ...viaInvoke }, [
    ...lazy('stdio-lazy-sdk'),
    '--config',
    lazyConfig('stdio-lazy-sdk', stdioServer, { mode: 'lazy', forwarding: 'sdk' }),
  ]),
  stdioTarget({ name: 'stdio: lazy-mcp direct mode, forwarding sdk', ...viaDirect }, [
    ...lazy('stdio-direct-sdk'),
    '--config',
    lazyConfig('stdio-direct-sdk', stdioServer, { mode: 'direct', forwarding: 'sdk' }),
  ]),
  stdioTarget({ name: 'stdio: byte relay (parses nothing: the floor)', tool: 'echo', args: echo }, [
    relay,
    EVERYTHING,
    'stdio',
  ]),
  await track(
    httpTarget(
      { name: 'http: direct to server-everything', tool: 'echo', args: echo },
      [EVERYTHING, 'streamableHttp'],
      directHttpPort as number,
      { PORT: String(directHttpPort) },
    ),
  ),
  await track(
    httpTarget(
      { name: 'http: lazy-mcp invoke_command → remote', ...viaInvoke },
      http('http-remote-lazy', { url: remoteUrl }, 'lazy', port(0)),
      port(0),
    ),
  ),
  await track(
    httpTarget(
      { name: 'http: lazy-mcp direct mode → remote', ...viaDirect },
      http('http-remote-direct', { url: remoteUrl }, 'direct', port(1)),
      port(1),
    ),
  ),
  await track(
    httpTarget(
      { name: 'bridge: lazy-mcp invoke_command → stdio', ...viaInvoke },
      http('bridge-lazy', stdioServer, 'lazy', port(2)),
      port(2),
    ),
  ),
  await track(
    httpTarget(
      { name: 'bridge: lazy-mcp direct mode → stdio', ...viaDirect },
      http('bridge-direct', stdioServer, 'direct', port(3)),
      port(3),
    ),
  ),
  await track(
    httpTarget(
      { name: 'bridge: mcp-proxy (npm) → stdio', tool: 'echo', args: echo },
      [
        join(root, 'node_modules/mcp-proxy/dist/bin/mcp-proxy.mjs'),
        '--port',
        String(port(4)),
        '--',
        process.execPath,
        EVERYTHING,
        'stdio',
      ],
      port(4),
    ),
  ),
  await track(
    httpTarget(
      { name: 'bridge: supergateway (npm) → stdio', tool: 'echo', args: echo },
      [
        join(root, 'node_modules/supergateway/dist/index.js'),
        '--stdio',
        `${process.execPath} ${EVERYTHING} stdio`,
        '--outputTransport',
        'streamableHttp',
        '--stateful',
        '--port',
        String(port(5)),
        '--logLevel',
        'none',
      ],
      port(5),
    ),
  ),
];

const httpDirect = targets.find((t) => t.name === 'http: direct to server-everything');
// `--only http` measures only the rows whose name starts with that (and their baseline).
const only = flag('--only');
const measured = only
  ? targets.filter((t) => t.name.startsWith(only) || t === targets[0] || t === httpDirect)
  : targets;
const results = new Map<
  string,
  { c1: number[]; rps1: number[]; c16: number[]; rps16: number[]; cpu16: number[] }
>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const t of round % 2 === 0 ? measured : [...measured].reverse()) {
      const r = results.get(t.name) ?? { c1: [], rps1: [], c16: [], rps16: [], cpu16: [] };
      const one: Measured = await measure(t, 1, durationMs);
      const many: Measured = await measure(t, 16, durationMs);
      r.c1.push(...one.latencies);
      r.rps1.push(one.rps);
      r.c16.push(...many.latencies);
      r.rps16.push(many.rps);
      if (many.cpuUsPerCall !== undefined) r.cpu16.push(many.cpuUsPerCall);
      results.set(t.name, r);
    }
  }
} finally {
  await Promise.all(started.map((t) => t.close()));
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => percentile(sorted(xs), 50);
/** The baseline of each row: direct in its own transport; the bridges against direct HTTP. */
const baselineOf = (t: Target) => (t.group === 'stdio' ? targets[0] : httpDirect) as Target;
const rows = measured.map((t) => {
  const r = results.get(t.name);
  const base = results.get(baselineOf(t).name);
  if (!r || !base) return [t.name];
  const p50 = median(r.c1);
  const added = p50 - median(base.c1);
  return [
    t.name,
    formatMs(p50),
    formatMs(percentile(sorted(r.c1), 99)),
    baselineOf(t) === t ? '—' : `${added >= 0 ? '+' : ''}${formatMs(added)}`,
    formatRate(median(r.rps1)),
    formatRate(median(r.rps16)),
    `${(median(r.rps16) / median(base.rps16)).toFixed(2)}×`,
    r.cpu16.length ? String(Math.round(median(r.cpu16))) : 'n/a',
  ];
});
const table = markdownTable(
  [
    { title: 'path (tools/call echo)' },
    { title: 'p50 ms c=1', right: true },
    { title: 'p99 ms c=1', right: true },
    { title: 'added p50 ms', right: true },
    { title: 'req/s c=1', right: true },
    { title: 'req/s c=16', right: true },
    { title: 'vs direct c=16', right: true },
    { title: 'CPU µs/call, c=16 †', right: true },
  ],
  rows,
);
console.log(table);
console.log(
  '\n† CPU of the process the client talks to: the server itself for direct rows, the gateway for the others.',
);
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
