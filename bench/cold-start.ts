// Cost of the first invoke_command to a stopped stdio server (spawn + initialize +
// tools/list + call) over a warm call, for server-everything. `--smoke` runs 3 rounds.
import { join } from 'node:path';
import { parseServersConfig } from '../src/config/servers-config.ts';
import { createGateway } from '../src/gateway/gateway.ts';
import { createSilentLogger } from '../src/gateway/logger.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, markdownTable } from './lib/table.ts';

const rounds = process.argv.includes('--smoke') ? 3 : 30;
const root = join(import.meta.dirname, '..');
const servers = [
  {
    name: 'everything',
    description: 'bench',
    command: [
      'node',
      join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'),
      'stdio',
    ],
  },
  {
    name: 'memory',
    description: 'bench',
    command: ['node', join(root, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js')],
  },
];
const gateway = createGateway(
  parseServersConfig({ servers }, { baseDir: root, env: process.env }),
  createSilentLogger(),
);
const calls = {
  everything: { command: 'echo', parameters: { message: 'x' } },
  memory: { command: 'read_graph', parameters: {} },
} as const;
const rows: string[][] = [];
const data: Record<string, { cold: number[]; warm: number[] }> = {};
for (const s of servers) {
  const name = s.name as keyof typeof calls;
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < rounds; i++) {
    await gateway.upstream(name)?.stop();
    const t0 = performance.now();
    await gateway.invokeCommand({ server: name, ...calls[name] }, {});
    const t1 = performance.now();
    await gateway.invokeCommand({ server: name, ...calls[name] }, {});
    const t2 = performance.now();
    cold.push(t1 - t0);
    warm.push(t2 - t1);
  }
  const sort = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const c50 = percentile(sort(cold), 50);
  const w50 = percentile(sort(warm), 50);
  rows.push([
    s.name,
    formatMs(c50),
    formatMs(percentile(sort(cold), 90)),
    formatMs(w50),
    formatMs(c50 - w50),
  ]);
  data[s.name] = { cold, warm };
}
await gateway.close();
const table = markdownTable(
  [
    { title: 'server (stdio, Node)' },
    { title: 'cold p50 ms', right: true },
    { title: 'cold p90 ms', right: true },
    { title: 'warm p50 ms', right: true },
    { title: 'added p50 ms', right: true },
  ],
  rows,
);
console.log(table);
console.log(`\n${rounds} rounds; ${JSON.stringify(machineInfo())}`);
console.log(
  `wrote ${writeResults(process.argv.includes('--smoke') ? 'cold-start-smoke' : 'cold-start', { machine: machineInfo(), rounds, data, rows })}`,
);
process.exit(0);
