// `npm run bench -- observatory [--smoke]`: the observatory on a store of 1,000,000 usage rows
// and 100,000 events. Each part lives in its own file and returns its table; PARTS lists them.
import { loadavg } from 'node:os';
import { machineInfo, writeResults } from './lib/results.ts';
import { observatoryQueriesPart, QUERY_GOAL_P50_MS } from './observatory-queries.ts';

interface Part {
  name: string;
  goal: string;
  run(opts: { smoke: boolean }): Promise<{ table: string; met: boolean; results: unknown }>;
}

const smoke = process.argv.includes('--smoke');

// --- part: summary queries (gain, cost, heatmap, savings) — bench/observatory-queries.ts
const queriesPart: Part = {
  name: 'queries',
  goal: `every summary query p50 ≤ ${QUERY_GOAL_P50_MS} ms on 1 M rows`,
  run: observatoryQueriesPart,
};
// --- end part: summary queries

const PARTS: Part[] = [queriesPart];

const output: Record<string, unknown> = { machine: machineInfo(), smoke };
let missed = false;
for (const part of PARTS) {
  const { table, met, results } = await part.run({ smoke });
  output[part.name] = results;
  console.log(`\n${table}\n`);
  console.log(
    `${part.name}: goal ${part.goal}: ${smoke ? 'not judged at smoke size' : met ? 'met' : 'missed'}`,
  );
  if (!smoke && !met) missed = true;
}
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; results: ${writeResults('observatory', output)}`,
);
// --- part: the dashboard page (first load, summary over HTTP, first chart) — bench/observatory-page.ts
await import('./observatory-page.ts');
// --- end part: the dashboard page
process.exit(missed ? 1 : 0);
