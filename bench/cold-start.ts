// Cost of the first invoke_command to a stopped stdio server (spawn + initialize + call; the
// tool list is fetched behind the answer) over a warm call, next to what any client pays to
// start the same server itself (SDK stdio client: spawn + initialize + call) and the floor,
// `node -e 0`, all in the same run, interleaved, with the same environment for every child.
// When NODE_EXTRA_CA_CERTS is set (it is on the build machine) every Node child parses that
// CA bundle at start-up, so each row also runs without it. `--smoke` runs 3 rounds.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parseServersConfig } from '../src/config/servers-config.ts';
import { createGateway, type Gateway } from '../src/gateway/gateway.ts';
import { createSilentLogger } from '../src/gateway/logger.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, markdownTable } from './lib/table.ts';

type Env = Record<string, string>;
const rounds = process.argv.includes('--smoke') ? 3 : 30;
const root = join(import.meta.dirname, '..');
const reference = (pkg: string) => join(root, 'node_modules/@modelcontextprotocol', pkg, 'dist/index.js');
const servers = [
  {
    name: 'everything',
    argv: [reference('server-everything'), 'stdio'],
    call: { command: 'echo', parameters: { message: 'x' } },
  },
  { name: 'memory', argv: [reference('server-memory')], call: { command: 'read_graph', parameters: {} } },
] as const;
const { NODE_EXTRA_CA_CERTS: bundle, ...withoutBundle } = process.env;
const envs: Array<{ label: string; env: Env }> = [{ label: 'this env', env: process.env as Env }];
if (bundle) envs.push({ label: 'no NODE_EXTRA_CA_CERTS', env: withoutBundle as Env });

function gatewayFor(env: Env): Gateway {
  const entries = servers.map((s) => ({
    name: s.name,
    description: 'bench',
    command: [process.execPath, ...s.argv],
  }));
  return createGateway(
    parseServersConfig({ servers: entries }, { baseDir: root, env }),
    createSilentLogger(),
  );
}

function nodeFloor(env: Env): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore', env });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });
}

async function ownClient(s: (typeof servers)[number], env: Env): Promise<number> {
  const t0 = performance.now();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [...s.argv], env, stderr: 'ignore' }),
  );
  await client.callTool({ name: s.call.command, arguments: s.call.parameters });
  const ms = performance.now() - t0;
  await client.close();
  return ms;
}

interface Series {
  floor: number[];
  perServer: Record<string, { cold: number[]; warm: number[]; client: number[] }>;
}
const series = envs.map(({ label, env }) => ({
  label,
  env,
  gateway: gatewayFor(env),
  data: {
    floor: [],
    perServer: Object.fromEntries(servers.map((s) => [s.name, { cold: [], warm: [], client: [] }])),
  } as Series,
}));
for (let i = 0; i < rounds; i++) {
  for (const { env, gateway, data } of series) {
    data.floor.push(await nodeFloor(env));
    for (const s of servers) {
      const d = data.perServer[s.name] as Series['perServer'][string];
      d.client.push(await ownClient(s, env));
      const upstream = gateway.upstream(s.name);
      await upstream?.stop();
      const t0 = performance.now();
      await gateway.invokeCommand({ server: s.name, ...s.call }, {});
      const t1 = performance.now();
      // Let the tool list fetched behind the first answer land, so the warm call is warm.
      await upstream?.listTools();
      const t2 = performance.now();
      await gateway.invokeCommand({ server: s.name, ...s.call }, {});
      d.cold.push(t1 - t0);
      d.warm.push(performance.now() - t2);
    }
  }
}
await Promise.all(series.map((x) => x.gateway.close()));

const p = (xs: number[], q: number) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    q,
  );
const rows: string[][] = [];
for (const { label, data } of series) {
  rows.push([
    `\`node -e 0\` (${label})`,
    'spawn to exit: the floor',
    formatMs(p(data.floor, 50)),
    formatMs(p(data.floor, 90)),
    '—',
    '—',
  ]);
  for (const s of servers) {
    const d = data.perServer[s.name] as Series['perServer'][string];
    const w50 = p(d.warm, 50);
    rows.push([
      `${s.name}: SDK client starts it (${label})`,
      'spawn, initialize, call',
      formatMs(p(d.client, 50)),
      formatMs(p(d.client, 90)),
      '—',
      '—',
    ]);
    rows.push([
      `${s.name}: first invoke_command via lazy-mcp (${label})`,
      'spawn (sh watchdog), initialize, call',
      formatMs(p(d.cold, 50)),
      formatMs(p(d.cold, 90)),
      formatMs(w50),
      formatMs(p(d.cold, 50) - w50),
    ]);
  }
}
const table = markdownTable(
  [
    { title: 'path (stdio, Node servers)' },
    { title: 'what it does' },
    { title: 'p50 ms', right: true },
    { title: 'p90 ms', right: true },
    { title: 'warm p50 ms', right: true },
    { title: 'added over warm p50', right: true },
  ],
  rows,
);
console.log(table);
console.log(`\n${rounds} interleaved rounds; ${JSON.stringify(machineInfo())}`);
const out = writeResults(process.argv.includes('--smoke') ? 'cold-start-smoke' : 'cold-start', {
  machine: machineInfo(),
  rounds,
  series: series.map(({ label, data }) => ({ label, ...data })),
  rows,
});
console.log(`wrote ${out}`);
process.exit(0);
