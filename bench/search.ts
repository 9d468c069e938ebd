import { fetchCorpus } from '../scripts/corpus.ts';
import { ripgrepKeys } from '../scripts/ripgrep-keys.ts';
import { searchEngineOf } from '../src/engine/search/search-engine.ts';
import { createDirectTools } from '../test/helpers/tool-context.ts';
import { startFilesystemPeer } from './lib/filesystem-peer.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { median } from './lib/stats.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: node --import tsx bench/search.ts [--smoke] [--rounds N]');
  process.exit(0);
}
const smoke = argv.includes('--smoke');
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : smoke ? 3 : 15;
const size = smoke ? 'small' : 'large';
const root = fetchCorpus(size as 'small' | 'large');

// [regex, file-name glob for search_files (it matches names, not contents)]
const PATTERNS: [string, string][] = smoke
  ? [
      ['ZodError', '**/*Error*'],
      ['func\\s+New\\w+', '**/*new*'],
      ['class \\w+\\(JupyterMixin\\)', '**/*jupyter*'],
    ]
  : [
      ['createElement', '**/*createElement*'],
      ['useState', '**/*useState*'],
      ['fn\\s+parse_\\w+', '**/*parse*'],
      ['def __init__\\(self\\)', '**/__init__.py'],
      ['TODO\\(', '**/*todo*'],
      ['pthread_mutex_lock', '**/*pthread*'],
      ['HashMap::new\\(\\)', '**/*hash_map*'],
      ['class \\w+Exception', '**/*Exception*'],
    ];

const rgKeys = (pattern: string) => ripgrepKeys(root, pattern);

async function timed<T>(fn: () => Promise<T> | T): Promise<[number, T]> {
  const t = performance.now();
  const v = await fn();
  return [performance.now() - t, v];
}

const req = (pattern: string) => ({
  pattern,
  path: '',
  exts: [],
  ignoreGitignore: false,
  maxHits: 1_000_000,
});
const keysOf = (hits: { path: string; line: number }[]) => hits.map((h) => `${h.path}:${h.line}`).sort();
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const peer = await startFilesystemPeer(root);
const warmTools = createDirectTools(root);
await warmTools.call('ctx_search', { pattern: 'warmup' });
const [buildMs] = await timed(() => searchEngineOf(warmTools.workspace).warm());

interface Row {
  pattern: string;
  hits: number;
  rgMs: number;
  coldMs: number;
  warmMs: number;
  warmP99Ms: number;
  searchFilesMs: number;
  searchFilesHits: number;
  coldSameHits: boolean;
  warmSameHits: boolean;
}
const rows: Row[] = [];
for (const [pattern, glob] of PATTERNS) {
  const expected = rgKeys(pattern);
  const cold = createDirectTools(root);
  const coldKeys = keysOf((await searchEngineOf(cold.workspace).search(req(pattern))).hits);
  await cold.close();
  const warmKeys = keysOf((await searchEngineOf(warmTools.workspace).search(req(pattern))).hits);
  const rg: number[] = [];
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  const sf: number[] = [];
  let sfHits = 0;
  for (let r = 0; r < rounds; r++) {
    rg.push((await timed(() => rgKeys(pattern)))[0]);
    const fresh = createDirectTools(root);
    coldMs.push((await timed(() => fresh.call('ctx_search', { pattern })))[0]);
    await fresh.close();
    for (let k = 0; k < 5; k++)
      warmMs.push((await timed(() => warmTools.call('ctx_search', { pattern })))[0]);
    if (r < (smoke ? 1 : 3)) {
      const [ms, text] = await timed(() => peer.call('search_files', { path: root, pattern: glob }));
      sf.push(ms);
      sfHits = text === 'No matches found' ? 0 : text.split('\n').length;
    }
  }
  const sortedWarm = [...warmMs].sort((a, b) => a - b);
  rows.push({
    pattern,
    hits: expected.length,
    rgMs: median(rg),
    coldMs: median(coldMs),
    warmMs: median(warmMs),
    warmP99Ms: sortedWarm[Math.min(sortedWarm.length - 1, Math.ceil(sortedWarm.length * 0.99) - 1)]!,
    searchFilesMs: median(sf),
    searchFilesHits: sfHits,
    coldSameHits: same(coldKeys, expected),
    warmSameHits: same(warmKeys, expected),
  });
}
await warmTools.close();
await peer.close();

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const stats = { files: size === 'large' ? 13611 : 513, buildMs: Math.round(buildMs), rounds };
console.log(`\nsearch bench — ${size} corpus, ${rounds} rounds, index build ${stats.buildMs} ms\n`);
console.log(
  '| pattern | hits | rg p50 ms | ours cold p50 ms | cold / rg | ours warm p50 ms | warm p99 ms | warm / rg | search_files p50 ms (name glob, hits) | same hits cold / warm |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| \`${r.pattern}\` | ${r.hits} | ${f(r.rgMs)} | ${f(r.coldMs)} | ${(r.coldMs / r.rgMs).toFixed(2)}× | ${f(r.warmMs)} | ${f(r.warmP99Ms)} | ${(r.warmMs / r.rgMs).toFixed(3)}× | ${f(r.searchFilesMs)} (${r.searchFilesHits}) | ${r.coldSameHits ? 'yes' : 'NO'} / ${r.warmSameHits ? 'yes' : 'NO'} |`,
  );
}
const allWarm = median(rows.map((r) => r.warmMs));
const worstCold = Math.max(...rows.map((r) => r.coldMs / r.rgMs));
console.log(
  `\nmedian of warm p50s: ${f(allWarm)} ms (goal ≤ 10); worst cold/rg: ${worstCold.toFixed(2)}× (goal ≤ 2)`,
);
const path = writeResults(smoke ? 'search-smoke' : 'search', {
  machine: machineInfo(),
  size,
  ...stats,
  rows,
});
console.log(`results: ${path}`);
if (rows.some((r) => !r.coldSameHits || !r.warmSameHits)) process.exit(1);
