// `npm run bench -- observatory-page` (also run by `npm run bench -- observatory`): the
// observatory's first data load (server time, bytes raw and gzip-compressed as sent) and the
// page's time to first chart in headless Chromium, on a store of 1,000,000 usage rows and
// 100,000 events. Flags: --usage N, --events N, --runs N.
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { createTokenSecret, sha256Hex } from '../src/auth/tokens.ts';
import { parseTeamConfig } from '../src/config/team-config.ts';
import { silentLogger } from '../src/logger.ts';
import { observatorySummary } from '../src/observatory/summary.ts';
import { createTeamServer } from '../src/server/team-server.ts';
import { createSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { builtinTools } from '../src/tools/all-tools.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { median } from './lib/stats.ts';
import { markdownTable } from './lib/table.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const USAGE_ROWS = flag('usage', 1_000_000);
const EVENTS = flag('events', 100_000);
const RUNS = flag('runs', 7);
const TOOLS = [
  'ctx_read',
  'ctx_search',
  'ctx_tree',
  'ctx_shell',
  'ctx_graph',
  'ctx_session',
  'ctx_knowledge',
  'ctx_impact',
];
const AGENTS = Array.from({ length: 12 }, (_, i) => `agent-${i}`);
/** The rows span a week, so the 30-minute window holds about 3,000 of them. */
const SPAN_MS = 7 * 86_400_000;

function seed(dataDir: string): void {
  const file = join(dataDir, 'leanctx.db');
  const store = createSqliteStore(file);
  void store.close();
  const db = new Database(file);
  const now = Date.now();
  const insertUsage = db.prepare(
    `INSERT INTO usage (ts, workspace_id, agent_id, context_id, tool, tokens_sent, tokens_saved, duration_ms, is_error)
     VALUES (?, 'main', ?, NULL, ?, ?, ?, ?, ?)`,
  );
  const usageBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const ts = new Date(now - SPAN_MS + Math.floor((i / USAGE_ROWS) * SPAN_MS)).toISOString();
      insertUsage.run(
        ts,
        AGENTS[i % AGENTS.length],
        TOOLS[(i * 7) % TOOLS.length],
        200 + (i % 900),
        i % 1500,
        3.5,
        i % 97 === 0 ? 1 : 0,
      );
    }
  });
  for (let i = 0; i < USAGE_ROWS; i += 100_000) usageBatch(i, Math.min(USAGE_ROWS, i + 100_000));
  const insertEvent = db.prepare(
    `INSERT INTO events (workspace_id, channel_id, revision, kind, actor, ts, payload) VALUES ('main', ?, ?, 'tool_call_recorded', ?, ?, ?)`,
  );
  const eventBatch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const ts = new Date(now - SPAN_MS + Math.floor((i / EVENTS) * SPAN_MS)).toISOString();
      const payload = JSON.stringify({
        tool: TOOLS[i % TOOLS.length],
        path: `src/mod${i % 400}.ts`,
        isError: false,
        tokensSent: 300,
        tokensRaw: 900,
        tokensSaved: 600,
      });
      insertEvent.run(i % 10 === 0 ? 'review' : 'main', i + 1, AGENTS[i % AGENTS.length], ts, payload);
    }
  });
  for (let i = 0; i < EVENTS; i += 50_000) eventBatch(i, Math.min(EVENTS, i + 50_000));
  db.close();
}

/** One GET as a browser sends it (gzip accepted); the bytes on the wire and the decoded size. */
function get(url: string, token?: string): Promise<{ status: number; wire: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        headers: {
          'accept-encoding': 'gzip, deflate, br',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        let wire = 0;
        res.on('data', (chunk: Buffer) => {
          wire += chunk.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, wire, ms: performance.now() - started }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-observatory-bench-'));
  try {
    const dataDir = join(dir, 'data');
    const seeded = performance.now();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dataDir, { recursive: true });
    seed(dataDir);
    console.error(
      `seeded ${USAGE_ROWS} usage rows and ${EVENTS} events in ${Math.round(performance.now() - seeded)} ms`,
    );
    const secret = createTokenSecret('lead');
    const config = parseTeamConfig(
      {
        host: '127.0.0.1',
        port: 0,
        dataDir,
        workspaces: [{ id: 'main', root: dir }],
        tokens: [{ id: 'lead', sha256Hex: sha256Hex(secret), scopes: [], role: 'admin' }],
      },
      dir,
    );
    const server = createTeamServer({ config, tools: builtinTools(), logger: silentLogger });
    const { url } = await server.listen('127.0.0.1', 0);
    try {
      // the first data load: the page, its files and the summary, as a browser fetches them
      const files = [
        '/observatory',
        '/observatory/app.js',
        '/observatory/style.css',
        '/observatory/uplot.js',
        '/observatory/uplot.css',
      ];
      const loads: { path: string; wire: number; ms: number }[] = [];
      for (const path of files) {
        const r = await get(`${url}${path}`);
        if (r.status !== 200) throw new Error(`${path} answered ${r.status}`);
        loads.push({ path, wire: r.wire, ms: r.ms });
      }
      const summaryMs: number[] = [];
      let summaryWire = 0;
      for (let i = 0; i < RUNS * 3; i++) {
        const r = await get(`${url}/v1/observatory/summary?minutes=30`, secret);
        if (r.status !== 200) throw new Error(`summary answered ${r.status}`);
        summaryMs.push(r.ms);
        summaryWire = r.wire;
      }
      // the same summary without HTTP and gzip: what the queries cost
      const caller = server.deps.state.authenticate(secret);
      if (!caller) throw new Error('the bench token does not authenticate');
      const computeMs: number[] = [];
      for (let i = 0; i < RUNS * 3; i++) {
        const started = performance.now();
        await observatorySummary(server.deps, caller, 30);
        computeMs.push(performance.now() - started);
      }
      const heat = await get(`${url}/v1/heatmap?limit=15&period=week`, secret);
      loads.push({ path: '/v1/observatory/summary', wire: summaryWire, ms: median(summaryMs) });
      loads.push({ path: `/v1/heatmap (${heat.status})`, wire: heat.wire, ms: heat.ms });
      const firstLoadBytes = loads.reduce((n, l) => n + l.wire, 0);

      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      const firstChart: number[] = [];
      try {
        for (let i = 0; i < RUNS; i++) {
          // a new context each run: cold cache, as a first visit
          const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
          await context.addInitScript(
            `sessionStorage.setItem('leanctx.observatory.token', ${JSON.stringify(secret)})`,
          );
          const page = await context.newPage();
          await page.goto(`${url}/observatory`);
          await page.waitForSelector('body[data-first-chart]', { timeout: 30_000 });
          firstChart.push(Number(await page.getAttribute('body', 'data-first-chart')));
          await context.close();
        }
      } finally {
        await browser.close();
      }

      const result = {
        machine: machineInfo(),
        usageRows: USAGE_ROWS,
        events: EVENTS,
        firstLoad: { files: loads, bytesCompressed: firstLoadBytes, goalBytes: 200 * 1024 },
        summaryP50Ms: median(summaryMs),
        summaryComputeP50Ms: median(computeMs),
        summaryRuns: summaryMs.length,
        firstChartMs: { p50: median(firstChart), runs: firstChart, goal: 1500 },
      };
      const path = writeResults('observatory-page', result);
      console.log(
        markdownTable(
          [
            { title: 'observatory (1 M usage rows, 100 k events)' },
            { title: 'measured', right: true },
            { title: 'goal', right: true },
          ],
          [
            [
              'first data load, compressed bytes (page, scripts, styles, summary)',
              `${(firstLoadBytes / 1024).toFixed(1)} KB`,
              '≤ 200 KB',
            ],
            [
              'GET /v1/observatory/summary p50 (loopback, server + transfer)',
              `${median(summaryMs).toFixed(1)} ms`,
              '≤ 50 ms',
            ],
            [
              'summary built in-process p50 (queries only, no HTTP)',
              `${median(computeMs).toFixed(1)} ms`,
              '≤ 50 ms',
            ],
            ['summary JSON on the wire (gzip)', `${(summaryWire / 1024).toFixed(1)} KB`, ''],
            [
              'time to first chart, headless Chromium, cold cache (p50)',
              `${Math.round(median(firstChart))} ms`,
              '≤ 1500 ms',
            ],
          ],
        ),
      );
      for (const l of loads) console.log(`  ${l.path}: ${l.wire} B on the wire, ${l.ms.toFixed(1)} ms`);
      console.log(
        `first chart runs (ms): ${firstChart.join(', ')}; load average ${result.machine.loadAvg1m}; results: ${path}`,
      );
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
