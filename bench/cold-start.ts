// Cost of the first invoke_command to a stopped stdio server (spawn + initialize + call; the
// tool list is fetched behind the answer) over a warm call, next to what any client pays to
// start the same server itself (SDK stdio client: spawn + initialize + call) and the floor,
// `node -e 0`, all in the same run, interleaved. `--smoke` runs 3 rounds.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { parseServersConfig } from '../src/config/servers-config.ts';
import { createGateway } from '../src/gateway/gateway.ts';
import { createSilentLogger } from '../src/gateway/logger.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, markdownTable } from './lib/table.ts';

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
const gateway = createGateway(
  parseServersConfig(
    {
      servers: servers.map((s) => ({
        name: s.name,
        description: 'bench',
        command: [process.execPath, ...s.argv],
      })),
    },
    { baseDir: root, env: process.env },
  ),
  createSilentLogger(),
);

function nodeFloor(): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(performance.now() - t0));
  });
}

async function ownClient(s: (typeof servers)[number]): Promise<number> {
  const t0 = performance.now();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(
    new StdioClientTransport({ command: process.execPath, args: [...s.argv], stderr: 'ignore' }),
  );
  await client.callTool({ name: s.call.command, arguments: s.call.parameters });
  const ms = performance.now() - t0;
  await client.close();
  return ms;
}

const floor: number[] = [];
const data: Record<string, { cold: number[]; warm: number[]; client: number[] }> = {};
for (const s of servers) data[s.name] = { cold: [], warm: [], client: [] };
for (let i = 0; i < rounds; i++) {
  floor.push(await nodeFloor());
  for (const s of servers) {
    const d = data[s.name] as (typeof data)[string];
    d.client.push(await ownClient(s));
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
await gateway.close();

const p = (xs: number[], q: number) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    q,
  );
const rows: string[][] = [
  ['`node -e 0` (spawn to exit, the floor)', '—', formatMs(p(floor, 50)), formatMs(p(floor, 90)), '—', '—'],
];
for (const s of servers) {
  const d = data[s.name] as (typeof data)[string];
  const w50 = p(d.warm, 50);
  rows.push([
    `${s.name}: SDK client starts it itself`,
    'spawn, initialize, call',
    formatMs(p(d.client, 50)),
    formatMs(p(d.client, 90)),
    '—',
    '—',
  ]);
  rows.push([
    `${s.name}: first invoke_command via lazy-mcp`,
    'spawn (sh watchdog), initialize, call',
    formatMs(p(d.cold, 50)),
    formatMs(p(d.cold, 90)),
    formatMs(w50),
    formatMs(p(d.cold, 50) - w50),
  ]);
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
console.log(
  `wrote ${writeResults(process.argv.includes('--smoke') ? 'cold-start-smoke' : 'cold-start', { machine: machineInfo(), rounds, floor, data, rows })}`,
);
process.exit(0);
