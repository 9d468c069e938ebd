// `npm run bench -- graph-accuracy [--misses N] [--per-package N]`: precision and recall of
// ctx_callers against TypeScript's language service (findReferences) on exported functions of
// real packages in node_modules. Goals: precision >= 0.95, recall >= 0.90.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { closeEnginePool } from '../src/engine/workers/engine-pool.ts';
import { graphOf } from '../src/tools/graph/graph-of.ts';
import { createDirectTools } from '../test/helpers/tool-context.ts';
import { measureCallers, oracleCallSites, readSources } from '../test/helpers/ts-oracle.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { markdownTable } from './lib/table.ts';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) =>
  argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback;
const showMisses = flag('--misses', 40);
const perPackage = flag('--per-package', 120);

/** Packages whose TypeScript sources ship in node_modules: nobody here wrote them. */
const PACKAGES = [
  ['node_modules/rxjs/src', 'rxjs'],
  ['node_modules/zod/src', 'zod'],
  ['node_modules/gpt-tokenizer/src', 'gpt-tokenizer'],
  ['node_modules/mcp-proxy/src', 'mcp-proxy'],
  ['node_modules/tailwind-merge/src', 'tailwind-merge'],
] as const;

/** Up to `n` functions spread evenly over the list (the list is in file order). */
const spread = <T>(all: T[], n: number) =>
  all.length <= n ? all : Array.from({ length: n }, (_, i) => all[Math.floor((i * all.length) / n)]!);

const rows: Record<string, string | number>[] = [];
const totals = { functions: 0, oracleSites: 0, tp: 0, fp: 0, fn: 0, truncated: 0 };
const misses: string[] = [];
for (const [dir, name] of PACKAGES) {
  const files = readSources(dir, name);
  const t0 = performance.now();
  const oracle = oracleCallSites(files, (all) => spread(all, perPackage));
  const oracleMs = performance.now() - t0;
  const root = mkdtempSync(join(tmpdir(), `leanctx-accuracy-${name}-`));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const tools = createDirectTools(root);
  // the whole graph first: ctx_index answers after 30 s and builds on in the background
  const built = await graphOf(tools.workspace).rebuild(false, 30 * 60_000);
  if (built.building) throw new Error(`the graph of ${name} did not finish building`);
  const acc = await measureCallers(oracle, (fn) =>
    tools.text('ctx_callers', { symbol: fn.name, file: fn.file }),
  );
  await tools.close();
  totals.functions += acc.functions;
  totals.oracleSites += acc.oracleSites;
  totals.tp += acc.truePositives;
  totals.fp += acc.falsePositives;
  totals.fn += acc.falseNegatives;
  totals.truncated += acc.truncated;
  misses.push(...acc.misses);
  rows.push({
    package: name,
    files: Object.keys(files).length,
    functions: acc.functions,
    'call sites (oracle)': acc.oracleSites,
    'cut at 200': acc.truncated,
    precision: acc.precision.toFixed(3),
    recall: acc.recall.toFixed(3),
    'with ? matches P/R': `${acc.withUnresolved.precision.toFixed(3)} / ${acc.withUnresolved.recall.toFixed(3)}`,
    'oracle s': (oracleMs / 1000).toFixed(1),
  });
}
await closeEnginePool();
const precision = totals.tp / Math.max(1, totals.tp + totals.fp);
const recall = (totals.oracleSites - totals.fn) / Math.max(1, totals.oracleSites);
rows.push({
  package: 'all',
  files: '',
  functions: totals.functions,
  'call sites (oracle)': totals.oracleSites,
  'cut at 200': totals.truncated,
  precision: precision.toFixed(3),
  recall: recall.toFixed(3),
  'with ? matches P/R': '',
  'oracle s': '',
});
const titles = Object.keys(rows[0]!);
console.log(
  markdownTable(
    titles.map((title) => ({ title, right: title !== 'package' })),
    rows.map((r) => titles.map((t) => String(r[t]))),
  ),
);
console.log(
  `\nprecision ${precision.toFixed(3)} (goal >= 0.95: ${precision >= 0.95 ? 'met' : 'MISSED'}), recall ${recall.toFixed(3)} (goal >= 0.90: ${recall >= 0.9 ? 'met' : 'MISSED'})`,
);
if (showMisses > 0 && misses.length > 0) {
  console.log(`\n${misses.length} wrong or missed site(s), first ${Math.min(showMisses, misses.length)}:`);
  for (const m of misses.slice(0, showMisses)) console.log(`  ${m}`);
}
const out = writeResults('graph-accuracy', { machine: machineInfo(), rows, precision, recall, misses });
console.log(`\nresults: ${out}`);
