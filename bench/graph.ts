// `npm run bench -- graph [--smoke] [--rounds N] [--no-peer]`: the code graph on the large corpus
// (a copy in a temp dir, so a file can be written) in one run:
//   - cold build (build-full through the real code graph) vs a tree-sitter parse-only pass over
//     the same files (the floor), and vs dependency-cruiser on the TS/JS part (npm/) against our
//     own cold build of that part;
//   - peak RSS of this process (the worker threads included);
//   - one-file incremental update: a file written → the new call site in ctx_callers' answer;
//   - p50 of ctx_callers and ctx_graph impact (each query brings the graph up to date first, as served).
// Goals (BENCH.md `index`): cold ≤ 60 s and ≤ 3× floor, faster than the peer; RSS ≤ 1 GB;
// incremental ≤ 200 ms; query p50 ≤ 20 ms.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchCorpus } from '../scripts/corpus.ts';
import {
  closeEnginePool,
  enginePool,
  runEngineTask,
  warmEnginePool,
} from '../src/engine/workers/engine-pool.ts';
import { graphOf } from '../src/tools/graph/graph-of.ts';
import { createDirectTools } from '../test/helpers/tool-context.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { percentile as sortedPercentile } from './lib/stats.ts';
import { markdownTable } from './lib/table.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: npm run bench -- graph [--smoke] [--rounds N] [--no-peer]');
  process.exit(0);
}
const smoke = argv.includes('--smoke');
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : smoke ? 10 : 40;
const size = smoke ? 'small' : 'large';
const BUILD_BUDGET_MS = 30 * 60_000;
const PARSE_BATCH = 32;

const corpus = fetchCorpus(size);
const root = mkdtempSync(join(tmpdir(), `leanctx-graph-bench-${size}-`));
cpSync(corpus, root, { recursive: true });
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

/** CPU ms of this process's children that have been waited for (Linux: cutime + cstime in /proc/self/stat). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** CPU ms of this process, every thread (main, workers, GC, file reads), while `fn` runs: what the load does not stretch. */
async function cpuOf<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const before = process.cpuUsage();
  const v = await fn();
  const used = process.cpuUsage(before);
  return [(used.user + used.system) / 1000, v];
}

/** A cold build (every file parsed) of `dir` through the real code graph of a workspace there. */
async function coldBuild(dir: string) {
  const tools = createDirectTools(dir);
  const graph = graphOf(tools.workspace);
  const [cpuMs, [ms, progress]] = await cpuOf(() => timed(() => graph.rebuild(true, BUILD_BUDGET_MS)));
  if (progress.building) throw new Error(`the build of ${dir} did not finish in ${BUILD_BUDGET_MS} ms`);
  return { tools, graph, ms, cpuMs, progress };
}

await warmEnginePool();
const workers = enginePool().stats().size;
const rssBefore = peakRssMb();
const cold = await coldBuild(root);
const counts = cold.graph.store.counts();
const rssAfterBuild = peakRssMb();
const files = [...cold.graph.store.stats().keys()];
console.log(
  `cold build: ${files.length} files in ${(cold.ms / 1000).toFixed(1)} s, CPU ${(cold.cpuMs / 1000).toFixed(1)} s, peak RSS ${rssAfterBuild} MB`,
);
// o200k counts are not part of the build: a background pass starts after it; wait for all of them,
// so the floor below runs on an idle pool and the count's own cost is on record
const [tokensMs, allTokens] = await timed(() => cold.graph.tokensOf(files));
console.log(`o200k counts after the build: ${allTokens} tokens, ${(tokensMs / 1000).toFixed(1)} s more`);

// the floor: read + tree-sitter parse of the same files, on the same worker pool, same batching
const percentile = (values: number[], p: number) =>
  sortedPercentile(
    [...values].sort((a, b) => a - b),
    p,
  );

const [floorCpuMs, [floorMs]] = await cpuOf(() =>
  timed(async () => {
    for (let i = 0; i < files.length; i += PARSE_BATCH) {
      await Promise.all(
        files.slice(i, i + PARSE_BATCH).map(async (rel) => {
          const text = (await readFile(join(root, rel))).toString('utf8');
          return runEngineTask('parseOnly', { rel, text });
        }),
      );
    }
  }),
);

console.log(`parse-only floor: ${(floorMs / 1000).toFixed(1)} s, CPU ${(floorCpuMs / 1000).toFixed(1)} s`);

// queries: the most-called exported functions that have resolved callers, and their files' impact
const tools = cold.tools;
const candidates = cold.graph.store
  .symbolNames()
  .map((name) => ({ name, defs: cold.graph.store.symbolsNamed(name) }))
  .filter((s) => s.defs.length === 1 && s.defs[0]!.exported && s.defs[0]!.kind === 'function')
  .map((s) => ({ ...s, calls: cold.graph.store.callsTo(s.name).length }))
  .filter((s) => s.calls >= 2)
  .sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name))
  .slice(0, 20);
if (candidates.length === 0) throw new Error('no called exported function in the corpus');
const callerMs: number[] = [];
const impactMs: number[] = [];
// CPU time of this process (its threads included) per query: on a shared machine the wall time
// is mostly waiting for a core, this is what the query itself costs
const callerCpuMs: number[] = [];
const impactCpuMs: number[] = [];
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
for (let r = 0; r < rounds; r++) {
  const s = candidates[r % candidates.length]!;
  let cpu = process.cpuUsage();
  callerMs.push((await timed(() => tools.text('ctx_callers', { symbol: s.name, file: s.defs[0]!.path })))[0]);
  callerCpuMs.push(cpuMs(process.cpuUsage(cpu)));
  cpu = process.cpuUsage();
  impactMs.push((await timed(() => tools.text('ctx_graph', { action: 'impact', path: s.defs[0]!.path })))[0]);
  impactCpuMs.push(cpuMs(process.cpuUsage(cpu)));
}

// incremental: append a call to a function defined in the same file; time until ctx_callers shows it
// a function with few callers, so the new site is not past the answer's 200-edge cut
const probe =
  cold.graph.store
    .symbolNames()
    .map((name) => cold.graph.store.symbolsNamed(name))
    .filter((d) => d.length === 1 && d[0]!.kind === 'function' && /\.(ts|js)$/.test(d[0]!.path))
    .map((d) => ({ name: d[0]!.name, defs: d, calls: cold.graph.store.callsTo(d[0]!.name).length }))
    .find((c) => c.calls >= 1 && c.calls <= 20) ?? candidates[0]!;
const probeFile = join(root, probe.defs[0]!.path);
const probeLines = readFileSync(probeFile, 'utf8').split('\n').length;
const incrementalMs: number[] = [];
const INCREMENTAL_ROUNDS = smoke ? 3 : 5;
for (let r = 0; r < INCREMENTAL_ROUNDS; r++) {
  const line = probeLines + r;
  const site = `${probe.defs[0]!.path}:${line}`;
  const started = performance.now();
  appendFileSync(probeFile, `${probe.name}();\n`);
  for (;;) {
    const text = await tools.text('ctx_callers', { symbol: probe.name, file: probe.defs[0]!.path });
    if (text.includes(`${site} →`)) break;
    if (performance.now() - started > 10_000) throw new Error(`the write never showed:\n${text}`);
  }
  incrementalMs.push(performance.now() - started);
}
await tools.close();

// the peer on the TS/JS part, against our own cold build of the same directory
const part = join(root, 'npm');
let peer: { ms: number; cpuMs: number; modules: number; error?: string } | undefined;
let ours: { ms: number; cpuMs: number; files: number } | undefined;
if (!argv.includes('--no-peer')) {
  const own = await coldBuild(part);
  ours = { ms: own.ms, cpuMs: own.cpuMs, files: own.progress.indexed };
  await own.tools.close();
  const started = performance.now();
  const childCpu = childrenCpuMs();
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      fileURLToPath(new URL('lib/typescript5-alias.mjs', import.meta.url)),
      fileURLToPath(new URL('../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url)),
      '--no-config',
      '--output-type',
      'json',
      part,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 20 * 60_000 },
  );
  const ms = performance.now() - started;
  const cpuMs = childrenCpuMs() - childCpu;
  const parsed = run.status === 0 ? (JSON.parse(run.stdout) as { modules: unknown[] }) : undefined;
  peer = {
    ms,
    cpuMs,
    modules: parsed?.modules.length ?? 0,
    error: parsed ? undefined : run.stderr.slice(0, 500),
  };
}
await closeEnginePool();
rmSync(root, { recursive: true, force: true });

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`;
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');
const p50Callers = percentile(callerMs, 50);
const p50Impact = percentile(impactMs, 50);
const incremental = percentile(incrementalMs, 50);
const rows: string[][] = [
  [
    `cold build, ${counts.files.toLocaleString('en-US')} files (${progressNote()})`,
    s(cold.ms),
    `${Math.round((counts.files * 1000) / cold.ms)} files/s`,
    `≤ 60 s: ${verdict(cold.ms <= 60_000)}`,
  ],
  [
    'o200k counts of every file, after the build (background, first need)',
    s(tokensMs),
    `build + counts = ${((cold.ms + tokensMs) / 1000).toFixed(1)} s`,
    '',
  ],
  [
    'tree-sitter parse-only, same files (floor)',
    s(floorMs),
    `build = ${(cold.ms / floorMs).toFixed(2)}× floor; CPU ${s(cold.cpuMs)} / ${s(floorCpuMs)} = ${(cold.cpuMs / floorCpuMs).toFixed(2)}×`,
    `≤ 3×: ${verdict(cold.ms <= 3 * floorMs)}`,
  ],
];
if (ours && peer) {
  rows.push(
    [
      `our cold build, TS/JS part (npm/, ${ours.files.toLocaleString('en-US')} files; main thread + ${workers} workers)`,
      s(ours.ms),
      `CPU ${s(ours.cpuMs)}`,
      '',
    ],
    [
      `dependency-cruiser 17.4.3, same dir (${peer.modules.toLocaleString('en-US')} modules; one thread)`,
      peer.error ? `failed: ${peer.error}` : s(peer.ms),
      peer.error ? '' : `ours = ${(ours.ms / peer.ms).toFixed(2)}× peer; CPU ${s(peer.cpuMs)}`,
      `faster: ${verdict(!peer.error && ours.ms < peer.ms)}`,
    ],
  );
}
rows.push(
  [
    'peak RSS (process + workers)',
    `${rssAfterBuild} MB`,
    `${rssBefore} MB before the build`,
    `≤ 1 GB: ${verdict(rssAfterBuild <= 1024)}`,
  ],
  [
    `one-file incremental (write → in ctx_callers), p50 of ${INCREMENTAL_ROUNDS}`,
    ms(incremental),
    '',
    `≤ 200 ms: ${verdict(incremental <= 200)}`,
  ],
  [
    `ctx_callers p50 (${rounds} queries)`,
    ms(p50Callers),
    `p95 ${ms(percentile(callerMs, 95))}; CPU p50 ${ms(percentile(callerCpuMs, 50))}`,
    `≤ 20 ms: ${verdict(p50Callers <= 20)}`,
  ],
  [
    `ctx_graph impact p50 (${rounds} queries)`,
    ms(p50Impact),
    `p95 ${ms(percentile(impactMs, 95))}; CPU p50 ${ms(percentile(impactCpuMs, 50))}`,
    `≤ 20 ms: ${verdict(p50Impact <= 20)}`,
  ],
);
function progressNote() {
  return `${counts.symbols.toLocaleString('en-US')} symbols, ${counts.calls.toLocaleString('en-US')} call sites, ${cold.progress.skipped} skipped`;
}
const info = machineInfo();
console.log(
  `graph bench, ${size} corpus — ${info.date}, ${info.cpus}× ${info.cpuModel}, load ${info.loadAvg1m}\n`,
);
console.log(
  markdownTable(
    [{ title: 'measure' }, { title: 'value', right: true }, { title: 'relative' }, { title: 'goal' }],
    rows,
  ),
);
const out = writeResults(`graph-${size}`, {
  machine: info,
  coldMs: cold.ms,
  coldCpuMs: cold.cpuMs,
  tokensMs,
  floorMs,
  floorCpuMs,
  counts,
  peer,
  ours,
  peakRssMb: rssAfterBuild,
  incrementalMs,
  callerMs,
  impactMs,
  callerCpuMs,
  impactCpuMs,
});
console.log(`\nresults: ${out}`);
