// Bench `read` (BENCH.md): ctx_read signatures / map / aggressive against the full file and
// against `repomix --compress` on the same files, alternating ours and the peer in one run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type Node, Query } from 'web-tree-sitter';
import { fetchCorpus } from '../scripts/corpus.ts';
import {
  createParser,
  type GrammarId,
  grammarFilePath,
  loadLanguage,
} from '../src/engine/languages/grammars.ts';
import { grammarOf, languageOf, outlineFile } from '../src/engine/languages/index.ts';
import { type MeasuredMode, renderMode } from '../src/engine/read/measure-modes.ts';
import { countTokens } from '../src/engine/tokens.ts';
import { machineInfo, writeResults } from './lib/results.ts';

const USAGE = 'usage: node --import tsx bench/read.ts [--smoke] [--size small|large] [--rounds N]';
const argv = process.argv.slice(2);
if (argv.includes('--help')) {
  console.log(USAGE);
  process.exit(0);
}
const smoke = argv.includes('--smoke');
const size = argv.includes('--size') ? argv[argv.indexOf('--size') + 1] : 'small';
if (size !== 'small' && size !== 'large') throw new Error(USAGE);
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : smoke ? 1 : 2;
const OURS: MeasuredMode[] = ['signatures', 'map', 'aggressive'];
const MAX_FILE_BYTES = 256 * 1024;

const corpus = fetchCorpus(size as 'small' | 'large');

function list(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...list(full));
    else if (grammarOf(languageOf(e.name)) && statSync(full).size <= MAX_FILE_BYTES)
      out.push(relative(corpus, full));
  }
  return out.sort();
}
let files = list(corpus);
if (smoke) files = files.filter((_, i) => i % Math.ceil(files.length / 20) === 0);

/** Nodes allowed between the root and a definition for it to count as top level. */
const PASS_THROUGH = new Set(
  'program module source_file translation_unit compilation_unit export_statement lexical_declaration variable_declaration expression_statement ambient_declaration decorated_definition type_declaration'.split(
    ' ',
  ),
);
const queries = new Map<GrammarId, Query | null>();

/** Top-level definition names from the grammar's own tags.scm: an oracle that is not our walker. */
async function oracleNames(rel: string, text: string): Promise<string[]> {
  const grammar = grammarOf(languageOf(rel)) as GrammarId;
  if (!queries.has(grammar)) {
    let query: Query | null = null;
    try {
      const own = readFileSync(grammarFilePath(grammar, 'queries/tags.scm'), 'utf8');
      const base =
        grammar === 'typescript' || grammar === 'tsx'
          ? readFileSync(grammarFilePath('javascript', 'queries/tags.scm'), 'utf8')
          : '';
      query = new Query(await loadLanguage(grammar), `${base}\n${own}`);
    } catch {
      query = null;
    }
    queries.set(grammar, query);
  }
  const query = queries.get(grammar);
  if (!query) return [];
  const parser = await createParser(grammar);
  const tree = parser.parse(text);
  parser.delete();
  if (!tree) return [];
  const names = new Set<string>();
  for (const match of query.matches(tree.rootNode)) {
    const def = match.captures.find((c) => c.name.startsWith('definition.'))?.node;
    const name = match.captures.find((c) => c.name === 'name')?.node;
    if (!def || !name) continue;
    let top = true;
    for (let p: Node | null = def.parent; p; p = p.parent) if (!PASS_THROUGH.has(p.type)) top = false;
    if (top) names.add(name.text);
  }
  tree.delete();
  return [...names];
}

interface Tally {
  tokens: number;
  kept: number;
  names: number;
  ms: number[];
}
const tally = (): Tally => ({ tokens: 0, kept: 0, names: 0, ms: [] });
const ours = new Map<MeasuredMode, Tally>(OURS.map((m) => [m, tally()]));
const peer = tally();
let fullTokens = 0;
const texts = new Map<string, string>();
const oracle = new Map<string, string[]>();
for (const rel of files) {
  const text = readFileSync(join(corpus, rel), 'utf8');
  texts.set(rel, text);
  oracle.set(rel, await oracleNames(rel, text));
  fullTokens += countTokens(text);
}
const keptIn = (rel: string, out: string) => (oracle.get(rel) ?? []).filter((n) => out.includes(n)).length;

async function runOurs(record: boolean): Promise<void> {
  for (const mode of OURS) {
    const t = ours.get(mode) as Tally;
    const start = performance.now();
    for (const rel of files) {
      const text = texts.get(rel) as string;
      const out = await renderMode(mode, rel, text, await outlineFile(rel, text));
      if (record) {
        t.tokens += countTokens(out);
        t.kept += keptIn(rel, out);
        t.names += oracle.get(rel)?.length ?? 0;
      }
    }
    t.ms.push((performance.now() - start) / files.length);
  }
}

const repomixBin = resolve('node_modules/repomix/bin/repomix.cjs');
function runPeer(record: boolean): void {
  // exactly this set of files, named on stdin (a large corpus overflows an argument list)
  const dir = mkdtempSync(join(tmpdir(), 'bench-read-'));
  mkdirSync(join(dir, 'out'));
  const out = join(dir, 'out', 'packed.json');
  const start = performance.now();
  execFileSync(
    process.execPath,
    [
      repomixBin,
      '--compress',
      '--style',
      'json',
      '--no-file-summary',
      '--no-directory-structure',
      '--no-security-check',
      '--no-gitignore',
      '--quiet',
      '--stdin',
      '-o',
      out,
    ],
    { cwd: corpus, input: `${files.join('\n')}\n`, stdio: ['pipe', 'ignore', 'ignore'], maxBuffer: 1 << 30 },
  );
  peer.ms.push((performance.now() - start) / files.length);
  if (record) {
    const packed = JSON.parse(readFileSync(out, 'utf8')) as { files: Record<string, string> };
    for (const rel of files) {
      const body = packed.files[rel] ?? '';
      peer.tokens += countTokens(body);
      peer.kept += keptIn(rel, body);
      peer.names += oracle.get(rel)?.length ?? 0;
    }
  }
  rmSync(dir, { recursive: true, force: true });
}

for (let r = 0; r < rounds; r++) {
  // alternate who goes first, so warm caches favour neither side
  if (r % 2 === 0) {
    await runOurs(r === 0);
    runPeer(r === 0);
  } else {
    runPeer(false);
    await runOurs(false);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const peerMs = median(peer.ms);
const row = (name: string, t: Tally) => {
  const saved = ((1 - t.tokens / fullTokens) * 100).toFixed(1);
  const kept = t.names === 0 ? '100.0' : ((t.kept / t.names) * 100).toFixed(1);
  const ms = median(t.ms);
  return {
    name,
    tokens: t.tokens,
    saved: Number(saved),
    namesKept: Number(kept),
    msPerFile: Number(ms.toFixed(2)),
    vsRepomixTokens: Number((t.tokens / peer.tokens).toFixed(2)),
    vsRepomixSpeed: Number((peerMs / ms).toFixed(2)),
  };
};
const rows = [
  ...OURS.map((m) => row(`ctx_read ${m}`, ours.get(m) as Tally)),
  row('repomix --compress', peer),
];
const names = [...oracle.values()].reduce((s, n) => s + n.length, 0);
console.log(
  `read bench: ${files.length} files (${size}${smoke ? ', smoke' : ''}), ${fullTokens} tokens in full, ${names} top-level names (tags.scm), ${rounds} rounds`,
);
console.log('| | tokens | saved vs full | names kept | ms/file | tokens vs repomix | speed vs repomix |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
console.log(`| full | ${fullTokens} | 0% | 100% | – | – | – |`);
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.tokens} | ${r.saved}% | ${r.namesKept}% | ${r.msPerFile} | ${r.vsRepomixTokens}× | ${r.vsRepomixSpeed}× |`,
  );
}
console.log(
  `written: ${writeResults(`read-${size}${smoke ? '-smoke' : ''}`, { machine: machineInfo(), files: files.length, fullTokens, names, rounds, rows })}`,
);
