// Knowledge recall on 10,000 facts about this repository (its packages, their licenses and their
// documented declarations), ours against @modelcontextprotocol/server-memory's search_nodes over
// the same facts, in the same run, both as stdio MCP servers driven by the SDK client: recall
// p50/p99 per query, and how many of 20 hand-written queries find the right fact in the top 3.
// `--smoke` runs 1,000 facts and 2 rounds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { firstVersion } from '../src/store/knowledge.ts';
import { toDumpText } from '../src/tools/knowledge/knowledge-dump.ts';
import { KNOWLEDGE_LIMITS } from '../src/tools/knowledge/knowledge-limits.ts';
import { type BenchFact, repositoryFacts } from './lib/repo-facts.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, markdownTable } from './lib/table.ts';

const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const factCount = smoke ? 1000 : 10_000;
const rounds = argv.includes('--rounds') ? Number(argv[argv.indexOf('--rounds') + 1]) : smoke ? 2 : 15;
const root = join(import.meta.dirname, '..');

/** A question as one would type it, and the facts (category/key) that answer it. */
const QUERIES: [string, string[]][] = [
  ['sqlite library', ['package/better-sqlite3']],
  ['toml parser', ['package/smol-toml']],
  [
    'create a temporary directory',
    ['symbol/@types/node:fs.d.ts:mkdtemp', 'symbol/@types/node:fs/promises.d.ts:mkdtemp'],
  ],
  ['set process scheduling priority', ['symbol/@types/node:os.d.ts:setPriority']],
  ['ripgrep binary', ['package/@vscode/ripgrep-linux-x64', 'package/@vscode/ripgrep']],
  ['prometheus client', ['package/prom-client']],
  ['BPE tokenizer for OpenAI models', ['package/gpt-tokenizer']],
  ['command-line programs', ['package/commander']],
  ['license of smol-toml', ['license/smol-toml']],
  [
    'streamable http client transport',
    [
      'symbol/@modelcontextprotocol/sdk:dist/cjs/client/streamableHttp.d.ts:StreamableHTTPClientTransport',
      'symbol/@modelcontextprotocol/sdk:dist/esm/client/streamableHttp.d.ts:StreamableHTTPClientTransport',
    ],
  ],
  [
    'in-memory event store',
    [
      'symbol/@modelcontextprotocol/sdk:dist/cjs/examples/shared/inMemoryEventStore.d.ts:InMemoryEventStore',
      'symbol/@modelcontextprotocol/sdk:dist/esm/examples/shared/inMemoryEventStore.d.ts:InMemoryEventStore',
    ],
  ],
  ['run stdio servers over SSE', ['package/supergateway']],
  [
    'websocket client transport',
    [
      'symbol/@modelcontextprotocol/sdk:dist/cjs/client/websocket.d.ts:WebSocketClientTransport',
      'symbol/@modelcontextprotocol/sdk:dist/esm/client/websocket.d.ts:WebSocketClientTransport',
    ],
  ],
  [
    'random UUID',
    [
      'symbol/@types/node:crypto.d.ts:randomUUID',
      'symbol/@typescript/typescript-linux-x64:lib/lib.dom.d.ts:randomUUID',
    ],
  ],
  ['semantic version parser', ['package/semver']],
  ['JSON Schema validator', ['package/ajv']],
  ['YAML parser', ['package/yaml']],
  ['glob matcher', ['package/minimatch', 'package/picomatch']],
  [
    'debounce time in milliseconds',
    [
      'symbol/@modelcontextprotocol/sdk:dist/cjs/types.d.ts:debounceMs',
      'symbol/@modelcontextprotocol/sdk:dist/esm/types.d.ts:debounceMs',
    ],
  ],
  [
    'cancel an in-flight request',
    [
      'symbol/@modelcontextprotocol/sdk:dist/cjs/shared/protocol.d.ts:signal',
      'symbol/@modelcontextprotocol/sdk:dist/esm/shared/protocol.d.ts:signal',
    ],
  ],
];

interface Target {
  label: string;
  /** Names (category/key) of the top 3 answers. */
  top3(query: string): Promise<string[]>;
  close(): Promise<void>;
}

const textOf = (result: Record<string, unknown>) =>
  ((result.content as { type: string; text?: string }[] | undefined)?.[0]?.text ?? '') as string;

async function connect(command: string, args: string[], env: Record<string, string>, cwd?: string) {
  const client = new Client({ name: 'leanctx-bench', version: '0.0.0' });
  await client.connect(
    new StdioClientTransport({
      command,
      args,
      env,
      cwd,
      stderr: process.env.BENCH_STDERR ? 'inherit' : 'ignore',
    }),
  );
  return client;
}

/** The export ctx_knowledge imports: one current version per fact (ids from 1). */
function dumpOf(facts: readonly BenchFact[]): string {
  const now = new Date().toISOString();
  const content = {
    workspaceId: 'bench',
    kind: 'fact' as const,
    examples: [],
    confidence: 0.8,
    source: 'bench',
  };
  const versions = facts.map((f, i) => ({
    id: i + 1,
    ...firstVersion({ ...content, ...f }, now),
    supersedes: null,
    supersededBy: null,
  }));
  return toDumpText({ workspaceId: 'bench', exportedAt: now }, { facts: versions, relations: [] });
}

/** `lean-ctx mcp` serving a scratch directory, its data in a scratch XDG dir, the facts imported. */
async function leanctx(facts: readonly BenchFact[]): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-knowledge-'));
  const { LEANCTX_TEAM_SERVER: _, ...inherited } = process.env as Record<string, string>;
  const env = { ...inherited, XDG_DATA_HOME: join(dir, 'data') };
  const client = await connect(process.execPath, [join(root, 'bin/lean-ctx.js'), 'mcp'], env, dir);
  const call = async (args: Record<string, unknown>) => {
    const r = await client.callTool({ name: 'ctx_knowledge', arguments: args }, undefined, {
      timeout: 600_000,
    });
    if (r.isError) throw new Error(textOf(r));
    return textOf(r);
  };
  // an import takes KNOWLEDGE_LIMITS.transferFacts facts: the first fills the empty workspace, the rest merge
  for (let at = 0; at < facts.length; at += KNOWLEDGE_LIMITS.transferFacts) {
    console.log(
      await call({ action: 'import', value: dumpOf(facts.slice(at, at + KNOWLEDGE_LIMITS.transferFacts)) }),
    );
  }
  return {
    label: 'leanctx `ctx_knowledge recall`',
    async top3(query) {
      const { facts: hits } = JSON.parse(
        await call({ action: 'recall', query, limit: 3, format: 'json' }),
      ) as {
        facts: { category: string; key: string }[];
      };
      return hits.map((h) => `${h.category}/${h.key}`);
    },
    close: () => client.close(),
  };
}

/** server-memory over stdio with the same facts as entities (name category/key, one observation). */
async function serverMemory(facts: readonly BenchFact[]): Promise<Target> {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-memory-')), 'memory.jsonl');
  const lines = facts.map((f) =>
    JSON.stringify({
      type: 'entity',
      name: `${f.category}/${f.key}`,
      entityType: f.category,
      observations: [f.value],
    }),
  );
  writeFileSync(file, lines.join('\n'));
  const entry = join(root, 'node_modules/@modelcontextprotocol/server-memory/dist/index.js');
  const client = await connect(process.execPath, [entry], {
    ...(process.env as Record<string, string>),
    MEMORY_FILE_PATH: file,
  });
  return {
    label: 'server-memory `search_nodes`',
    async top3(query) {
      const r = await client.callTool({ name: 'search_nodes', arguments: { query } });
      const { entities } = JSON.parse(textOf(r)) as { entities: { name: string }[] };
      return entities.slice(0, 3).map((e) => e.name);
    },
    close: () => client.close(),
  };
}

const facts = repositoryFacts(root, factCount).filter(
  (f) => f.key.length <= KNOWLEDGE_LIMITS.keyChars && f.value.length <= KNOWLEDGE_LIMITS.valueChars,
);
const names = new Set(facts.map((f) => `${f.category}/${f.key}`));
const answerable = QUERIES.filter(([, answers]) => answers.some((a) => names.has(a))).length;
console.log(
  `knowledge bench — ${facts.length} facts, ${QUERIES.length} queries (${answerable} answerable), ${rounds} rounds`,
);
const targets = [await leanctx(facts), await serverMemory(facts)];
const times = targets.map(() => [] as number[]);
const hits = targets.map(() => 0);
const misses = targets.map(() => [] as string[]);
for (let round = 0; round < rounds; round++) {
  for (const [query, answers] of QUERIES) {
    // alternate who goes first, so neither always runs on a cooler cache
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const t of order) {
      const target = targets[t] as Target;
      const started = performance.now();
      const top = await target.top3(query);
      (times[t] as number[]).push(performance.now() - started);
      if (round === 0) {
        if (top.some((name) => answers.includes(name))) hits[t] = (hits[t] as number) + 1;
        else (misses[t] as string[]).push(`"${query}" → ${top.join(', ') || '(nothing)'}`);
      }
    }
  }
}
await Promise.all(targets.map((t) => t.close()));

const rows = targets.map((t, i) => {
  const sorted = [...(times[i] as number[])].sort((a, b) => a - b);
  return {
    label: t.label,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    top3: hits[i] as number,
  };
});
const [ours, peer] = rows as [(typeof rows)[0], (typeof rows)[0]];
console.log(
  `\n${markdownTable(
    [
      { title: 'target' },
      { title: 'facts', right: true },
      { title: 'recall p50 ms', right: true },
      { title: 'p99 ms', right: true },
      { title: `top-3 hits of ${answerable}`, right: true },
    ],
    rows.map((r) => [
      r.label,
      facts.length.toLocaleString('en-US'),
      formatMs(r.p50Ms),
      formatMs(r.p99Ms),
      `${r.top3}`,
    ]),
  )}\n`,
);
const met = (ok: boolean) => (ok ? 'met' : '**missed**');
console.log(
  `${answerable < QUERIES.length ? `${QUERIES.length - answerable} queries have no answer among these facts (smoke size)\n` : ''}goals: recall p50 ≤ 10 ms (${formatMs(ours.p50Ms)}: ${met(ours.p50Ms <= 10)}), faster than server-memory (${(peer.p50Ms / ours.p50Ms).toFixed(1)}×: ${met(ours.p50Ms < peer.p50Ms)}), top-3 hits ≥ its ${peer.top3} (${ours.top3}: ${met(ours.top3 >= peer.top3)})`,
);
for (const [i, t] of targets.entries()) {
  if ((misses[i] as string[]).length > 0)
    console.log(`\n${t.label} misses:\n  ${(misses[i] as string[]).join('\n  ')}`);
}
const path = writeResults(smoke ? 'knowledge-smoke' : 'knowledge', {
  machine: machineInfo(),
  facts: facts.length,
  answerable,
  rounds,
  rows,
  misses,
});
console.log(`results: ${path}`);
