import { resolve } from 'node:path';
import { fetchCorpus } from '../scripts/corpus.ts';
import { countTokens } from '../src/engine/tokens.ts';
import { createDirectTools } from '../test/helpers/tool-context.ts';
import { startFilesystemPeer } from './lib/filesystem-peer.ts';
import { machineInfo, writeResults } from './lib/results.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log('usage: node --import tsx bench/tree.ts [--smoke]');
  process.exit(0);
}
const smoke = argv.includes('--smoke');
const size = smoke ? 'small' : 'large';
const root = fetchCorpus(size as 'small' | 'large');

const DIRS = smoke
  ? ['.', 'npm/zod', 'deb/python3-rich']
  : ['.', 'npm/three', 'deb/python3-django', 'deb/librust-tokio-dev', 'npm/zod/src'];

const peer = await startFilesystemPeer(root);
const tools = createDirectTools(root);
const rows: {
  dir: string;
  oursTokens: number;
  peerTokens: number;
  ratio: number;
  oursMs: number;
  peerMs: number;
}[] = [];
for (const dir of DIRS) {
  let t = performance.now();
  const ours = await tools.text('ctx_tree', { path: dir, depth: 3 });
  const oursMs = performance.now() - t;
  t = performance.now();
  const theirs = await peer.call('directory_tree', {
    path: resolve(root, dir),
    excludePatterns: ['.*', '**/.*'],
  });
  const peerMs = performance.now() - t;
  const oursTokens = countTokens(ours);
  const peerTokens = countTokens(theirs);
  rows.push({ dir, oursTokens, peerTokens, ratio: oursTokens / peerTokens, oursMs, peerMs });
}
await tools.close();
await peer.close();

console.log(
  `\ntree bench — ${size} corpus, ctx_tree depth 3 vs directory_tree (full depth, hidden excluded)\n`,
);
console.log('| directory | ctx_tree tok | directory_tree tok | ratio | ctx_tree ms | directory_tree ms |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(
    `| \`${r.dir}\` | ${r.oursTokens} | ${r.peerTokens} | ${r.ratio.toFixed(4)}× | ${r.oursMs.toFixed(0)} | ${r.peerMs.toFixed(0)} |`,
  );
}
console.log(
  `\ngoal: ≤ 0.3× the peer's tokens; worst ratio ${Math.max(...rows.map((r) => r.ratio)).toFixed(4)}×`,
);
console.log(
  `results: ${writeResults(smoke ? 'tree-smoke' : 'tree', { machine: machineInfo(), size, rows })}`,
);
if (rows.some((r) => r.ratio > 0.3)) process.exit(1);
