// The observatory's summary queries on a big store: a temp SQLite store filled with
// 1,000,000 usage rows and 100,000 events, then p50/p95 of each report the dashboard and
// the economics tools read (gain, cost, heatmap, savings) through the store as the server
// runs them (on an engine worker for a file database). Goal: every p50 ≤ 50 ms.
// Run alone with `npm run bench -- observatory-queries [--smoke]`, or as a part of
// `npm run bench -- observatory`.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { costReport, gainReport, heatmap, sinceTsOf } from '../src/reports/economics.ts';
import { savingsSummary, windowStart } from '../src/reports/savings.ts';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store, UsageRecord } from '../src/store/types.ts';
import { percentile } from './lib/stats.ts';
import { formatMs, markdownTable } from './lib/table.ts';

export const QUERY_GOAL_P50_MS = 50;
const DAY_MS = 86_400_000;
const PRICING = { model: 'claude-sonnet-4', usdPerMillionTokens: 3 };
const WORKSPACES = ['app', 'api', 'infra', 'docs'];
const AGENTS = Array.from({ length: 20 }, (_, i) => `agent-${i}`);
const TOOLS = [
  'ctx_read',
  'ctx_search',
  'ctx_multi_read',
  'ctx_tree',
  'ctx_shell',
  'ctx_outline',
  'ctx_smart_read',
  'ctx_session',
  'ctx_knowledge',
  'ctx_graph',
  'ctx_overview',
  'ctx_semantic_search',
  'ctx_delta',
  'ctx_symbol',
  'ctx_edit',
  'ctx_metrics',
  'ctx_impact',
  'ctx_callgraph',
  'ctx_agent',
  'ctx_task',
];
const FILE_READERS = new Set(['ctx_read', 'ctx_multi_read', 'ctx_outline', 'ctx_smart_read', 'ctx_delta']);
const FILES_PER_WORKSPACE = 20_000;

export interface QueryRow {
  query: string;
  p50Ms: number;
  p95Ms: number;
  /** The first call: a new worker connection, and the windowed heatmap's past days summed. */
  firstMs: number;
  runs: number;
}

/** xorshift32: the same store every run. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
}

/** An index in [0, n) with Zipf-like weight (rank^-s): a few hot items, a long tail. */
function zipf(rnd: () => number, n: number, s = 1.1): number {
  // inverse of the continuous approximation of the Zipf CDF
  const u = rnd();
  const a = 1 - s;
  const x = ((n ** a - 1) * u + 1) ** (1 / a);
  return Math.min(n - 1, Math.floor(x) - 1);
}

const fileName = (i: number) => `src/mod${i % 40}/part${Math.floor(i / 40) % 25}/file${i}.ts`;

/** Fills the store: `usage` calls over 180 days and `events` events on 16 channels. */
async function fill(store: Store, usage: number, events: number, nowMs: number) {
  const rnd = random(42);
  const chunk = 50_000;
  for (let done = 0; done < usage; done += chunk) {
    const batch: Promise<void>[] = [];
    for (let i = done; i < Math.min(usage, done + chunk); i++) {
      const tool = TOOLS[zipf(rnd, TOOLS.length, 1.3)] as string;
      const reads = FILE_READERS.has(tool);
      const sent = 20 + Math.floor(rnd() * 800);
      const raw = reads || rnd() < 0.3 ? sent + Math.floor(rnd() * 4000) : 0;
      const row: UsageRecord = {
        ts: new Date(nowMs - Math.floor(rnd() * 180 * DAY_MS)).toISOString(),
        workspaceId: WORKSPACES[zipf(rnd, WORKSPACES.length)] as string,
        agentId: AGENTS[zipf(rnd, AGENTS.length)] as string,
        contextId: `ctx-${Math.floor(rnd() * 5000)}`,
        tool,
        tokensSent: sent,
        tokensRaw: raw,
        tokensSaved: Math.max(0, raw - sent),
        durationMs: rnd() * 50,
        isError: rnd() < 0.01,
        path: reads ? fileName(zipf(rnd, FILES_PER_WORKSPACE)) : undefined,
      };
      batch.push(store.usage.record(row));
    }
    await Promise.all(batch);
  }
  const kinds = ['tool_call_recorded', 'session_mutated', 'knowledge_changed', 'budget_alert'];
  for (let done = 0; done < events; done += chunk) {
    const batch: Promise<unknown>[] = [];
    for (let i = done; i < Math.min(events, done + chunk); i++) {
      batch.push(
        store.events.append({
          workspaceId: WORKSPACES[i % WORKSPACES.length] as string,
          channelId: `ch-${i % 16}`,
          kind: kinds[i % kinds.length] as string,
          actor: AGENTS[i % AGENTS.length] as string,
          payload: { tool: 'ctx_read', path: fileName(i % 1000), tokensSent: 100 + (i % 300) },
        }),
      );
    }
    await Promise.all(batch);
  }
}

async function time(name: string, runs: number, query: () => Promise<unknown>): Promise<QueryRow> {
  const first = performance.now();
  await query();
  const firstMs = performance.now() - first;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await query();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { query: name, p50Ms: percentile(ms, 50), p95Ms: percentile(ms, 95), firstMs, runs };
}

/** The part `npm run bench -- observatory` runs: fill, time every summary query, tabulate. */
export async function observatoryQueriesPart(opts: { smoke: boolean }) {
  const usage = opts.smoke ? 50_000 : 1_000_000;
  const events = opts.smoke ? 5_000 : 100_000;
  const runs = opts.smoke ? 10 : 40;
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-bench-observatory-'));
  const store = createSqliteStore(join(dir, 'store.db'));
  const nowMs = Date.now();
  try {
    const t0 = performance.now();
    await fill(store, usage, events, nowMs);
    const fillSec = (performance.now() - t0) / 1000;
    console.log(
      `filled ${usage.toLocaleString('en-US')} usage rows and ${events.toLocaleString('en-US')} events in ${fillSec.toFixed(1)} s`,
    );
    const all = undefined;
    const scope = (period: 'week' | 'month' | 'all', workspaceIds: readonly string[] | undefined = all) => ({
      workspaceIds,
      period,
      nowMs,
    });
    const rows: QueryRow[] = [];
    for (const period of ['week', 'month', 'all'] as const) {
      rows.push(
        await time(`gain report, ${period}, all workspaces`, runs, () =>
          gainReport(store, scope(period), PRICING),
        ),
      );
    }
    rows.push(
      await time('gain report, all, one workspace', runs, () =>
        gainReport(store, scope('all', ['api']), PRICING),
      ),
    );
    rows.push(await time('cost report, all', runs, () => costReport(store, scope('all'), PRICING)));
    rows.push(await time('cost report, month', runs, () => costReport(store, scope('month'), PRICING)));
    for (const period of ['week', 'month', 'all'] as const) {
      rows.push(
        await time(`heatmap (files + dirs), ${period}`, runs, () =>
          heatmap(store, { workspaceIds: all, sinceTs: sinceTsOf(period, nowMs), limit: 50 }),
        ),
      );
    }
    rows.push(
      await time('savings summary (GET /v1/savings/summary)', runs, async () =>
        savingsSummary(
          await store.usage.rollup({ workspaceIds: all, sinceDay: windowStart(nowMs) }),
          nowMs,
          PRICING,
        ),
      ),
    );
    rows.push(
      await time('events: newest 200 of a channel', runs, async () => {
        const latest = await store.events.latestRevision('app', 'ch-0');
        return store.events.since('app', 'ch-0', Math.max(0, latest - 200), 200);
      }),
    );
    const table = markdownTable(
      [
        { title: 'query' },
        { title: 'p50 ms', right: true },
        { title: 'p95 ms', right: true },
        { title: 'first call ms', right: true },
      ],
      rows.map((r) => [r.query, formatMs(r.p50Ms), formatMs(r.p95Ms), formatMs(r.firstMs)]),
    );
    const met = rows.every((r) => r.p50Ms <= QUERY_GOAL_P50_MS);
    return { table, met, results: { usageRows: usage, events, fillSec, loadAvg: loadavg(), rows } };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const smoke = process.argv.includes('--smoke');
  const { table, met, results } = await observatoryQueriesPart({ smoke });
  console.log(`\n${table}\n`);
  console.log(
    `queries: goal every p50 ≤ ${QUERY_GOAL_P50_MS} ms: ${smoke ? 'not judged at smoke size' : met ? 'met' : 'missed'} (load ${results.loadAvg.map((l) => l.toFixed(1)).join(' ')})`,
  );
  process.exit(0);
}
