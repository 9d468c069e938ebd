// `npm run bench -- stall`: while one client sends the worst inputs (a 2 MB pattern, a
// one-word file, a backtracking regex, a huge counted repetition, big files through
// ctx_symbol and ctx_semantic_search) in a loop, another measures `/health` and a cached
// `ctx_read`: p50/p99 against the same run without the hostile client.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTokenSecret, sha256Hex } from '../src/auth/tokens.ts';
import { parseTeamConfig } from '../src/config/team-config.ts';
import { warmEnginePool } from '../src/engine/workers/engine-pool.ts';
import { silentLogger } from '../src/logger.ts';
import { createTeamServer } from '../src/server/team-server.ts';
import { builtinTools } from '../src/tools/all-tools.ts';
import { parseBenchArgs } from './lib/bench-args.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { LatencyRecorder } from './lib/stats.ts';
import { formatMs, formatRatio, markdownTable } from './lib/table.ts';

const USAGE = 'usage: npm run bench -- stall [--smoke] [--duration S]';
const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 15, rounds: 1, concurrency: 1, smoke: { durationSec: 3, rounds: 1, concurrency: 1 } },
  USAGE,
);
const GOAL_P99_MS = 50;
const GOAL_RATIO = 3;

function workspaceFiles(): Record<string, string> {
  const name = 'aVeryLongIdentifierNameThatGoesOnAndOnForSure';
  const files: Record<string, string> = {
    'src/small.ts': 'export const small = 1;\n',
    'one-word.txt': 'a'.repeat(100_000),
    'src/names.ts': `${Array.from({ length: 200 }, (_, i) => `const ${name}${i}! = ${i};`).join('\n')}\n`,
  };
  for (let f = 0; f < (args.smoke ? 4 : 20); f++) {
    const fns = Array.from(
      { length: 800 },
      (_, i) =>
        `export function handler${f}_${i}(input: string, n: number): string {\n  return input.repeat(n);\n}\n`,
    );
    files[`pkg/file${f}.ts`] = `// notDefinedAnywhere\n${fns.join('')}`;
  }
  return files;
}

// The worst inputs of issue 7 items 1, 2 and S1, sent one after another.
const HOSTILE: { name: string; args: Record<string, unknown> }[] = [
  { name: 'ctx_search', args: { pattern: 'a'.repeat(2_000_000) } },
  { name: 'ctx_read', args: { path: 'one-word.txt', mode: 'full', fresh: true } },
  { name: 'ctx_search', args: { pattern: '(\\w+\\w+)+$' } },
  { name: 'ctx_search', args: { pattern: '(\\w+\\w+)+$', path: 'src' } },
  { name: 'ctx_search', args: { pattern: '[a-z]{1,1000}'.repeat(70) } },
  { name: 'ctx_symbol', args: { name: 'notDefinedAnywhere' } },
  { name: 'ctx_semantic_search', args: { action: 'reindex', path: 'pkg' } },
  { name: 'ctx_semantic_search', args: { query: 'handler input repeat', mode: 'bm25' } },
];

const dir = mkdtempSync(join(tmpdir(), 'leanctx-stall-'));
const root = join(dir, 'workspace');
for (const [rel, text] of Object.entries(workspaceFiles())) {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), text);
}
const token = createTokenSecret('bench');
const config = parseTeamConfig(
  {
    host: '127.0.0.1',
    port: 0,
    workspaces: [{ id: 'main', root }],
    tokens: [{ id: 'bench', sha256Hex: sha256Hex(token), role: 'admin' }],
    auditLogPath: join(dir, 'audit.jsonl'),
    dataDir: join(dir, 'data'),
    maxRps: 1_000_000,
    rateBurst: 1_000_000,
    requestTimeoutMs: 10_000,
  },
  dir,
);
const server = createTeamServer({ config, logger: silentLogger, tools: builtinTools() });
const { url } = await server.listen('127.0.0.1', 0);
await warmEnginePool();

const call = async (name: string, toolArgs: Record<string, unknown>, contextId?: string) => {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, arguments: toolArgs, ...(contextId ? { contextId } : {}) }),
  });
  await res.arrayBuffer();
  return res.status;
};

interface Phase {
  health: LatencyRecorder;
  read: LatencyRecorder;
  hostileCalls: number;
  hostileStatuses: Record<string, number>;
}

async function runPhase(hostile: boolean): Promise<Phase> {
  const phase: Phase = {
    health: new LatencyRecorder(),
    read: new LatencyRecorder(),
    hostileCalls: 0,
    hostileStatuses: {},
  };
  const until = performance.now() + args.durationSec * 1000;
  const prober = (async () => {
    while (performance.now() < until) {
      let t = performance.now();
      const res = await fetch(`${url}/health`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`/health answered ${res.status}`);
      phase.health.record(performance.now() - t);
      t = performance.now();
      const status = await call('ctx_read', { path: 'src/small.ts', mode: 'full' }, 'prober');
      if (status !== 200) throw new Error(`cached ctx_read answered ${status}`);
      phase.read.record(performance.now() - t);
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const attacker = (async () => {
    for (let i = 0; hostile && performance.now() < until; i++) {
      const h = HOSTILE[i % HOSTILE.length]!;
      const status = await call(h.name, h.args);
      phase.hostileCalls++;
      phase.hostileStatuses[status] = (phase.hostileStatuses[status] ?? 0) + 1;
    }
  })();
  await Promise.all([prober, attacker]);
  return phase;
}

try {
  await call('ctx_read', { path: 'src/small.ts', mode: 'full' }, 'prober');
  const quiet = await runPhase(false);
  const loaded = await runPhase(true);
  const rows: string[][] = [];
  const data: Record<string, unknown> = { machine: machineInfo(), durationSec: args.durationSec };
  let met = true;
  for (const [label, key] of [
    ['`GET /health`', 'health'],
    ['cached `ctx_read`', 'read'],
  ] as const) {
    const q = quiet[key].summary();
    const h = loaded[key].summary();
    const ratio = h.p99Ms / q.p99Ms;
    const ok = h.p99Ms <= GOAL_P99_MS && ratio <= GOAL_RATIO;
    met &&= ok;
    rows.push([
      label,
      formatMs(q.p50Ms),
      formatMs(q.p99Ms),
      formatMs(h.p50Ms),
      formatMs(h.p99Ms),
      formatRatio(ratio),
      ok ? 'yes' : 'no',
    ]);
    data[key] = { quiet: q, hostile: h, samples: { quiet: quiet[key].count, hostile: loaded[key].count } };
  }
  data.hostileCalls = loaded.hostileCalls;
  data.hostileStatuses = loaded.hostileStatuses;
  console.log(
    markdownTable(
      [
        { title: 'probe' },
        { title: 'quiet p50 ms', right: true },
        { title: 'quiet p99 ms', right: true },
        { title: 'hostile p50 ms', right: true },
        { title: 'hostile p99 ms', right: true },
        { title: 'p99 hostile/quiet', right: true },
        { title: `p99 ≤ ${GOAL_P99_MS} ms and ≤ ${GOAL_RATIO}×` },
      ],
      rows,
    ),
  );
  console.log(
    `\n${loaded.hostileCalls} hostile calls in ${args.durationSec} s (statuses ${JSON.stringify(loaded.hostileStatuses)}); server and probes in one process.`,
  );
  console.log(`results: ${writeResults('stall', { ...data, goalMet: met })}`);
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
