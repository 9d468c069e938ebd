// Bench `replicas` (issue 13, BENCH.md): cached `ctx_read` over REST on the same 2 cores, in
// the same run, alternating: (a) one SQLite `lean-ctx team serve`; (b) one replica on
// PostgreSQL + Redis; (c) three replicas on the same database and key prefix. Every target
// sits behind the same round-robin proxy process (over one target for a and b), so req/s
// compares like with like and (c) differs from (b) only in the replicas behind it; (d) the
// control: three independent SQLite processes (own data dirs, nothing shared) behind the same
// proxy, so what splitting two cores three ways costs is measured apart from coordination. Then:
// cross-replica event delivery (an SSE subscriber on r1, findings written through r2 and r3)
// and an MCP SDK client whose requests rotate over the three replicas (session errors).
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import autocannon from 'autocannon';
import { parseBenchArgs } from './lib/bench-args.ts';
import { exitOnSignal } from './lib/child-server.ts';
import { type DeliveryResult, measureCrossReplicaDelivery } from './lib/cross-replica-delivery.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import {
  type Balancer,
  LOG_LINES_COUNTED,
  type ReplicaFleet,
  startReplicaFleet,
} from './lib/replica-fleet.ts';
import { machineInfo, profileFlags, writeResults } from './lib/results.ts';
import { runAlternating } from './lib/rounds.ts';
import { LatencyRecorder, median, medianRoundRatio, type RoundResult, summarize } from './lib/stats.ts';
import { cpuByPid, cpuSpentMs, storeProcessIds } from './lib/store-cpu.ts';
import { formatCpuUs, formatMs, formatRate, formatRatio, markdownTable } from './lib/table.ts';

const USAGE = `usage: npm run bench -- replicas [--smoke] [--duration S] [--rounds N] [--concurrency C]
  --duration S      seconds per target per round (default 5; smoke 1)
  --rounds N        alternating rounds (default 3; smoke 1)
  --concurrency C   autocannon connections (default 32; smoke 4)
PostgreSQL at 127.0.0.1:5432 (database test, trust auth) and Redis at LEANCTX_BENCH_REDIS_URL
(default redis://127.0.0.1:6379) must be up; the bench makes its own database and key prefix
and removes both afterwards.`;

const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 5, rounds: 3, concurrency: 32, smoke: { durationSec: 1, rounds: 1, concurrency: 4 } },
  USAGE,
);
const REDIS_URL = process.env.LEANCTX_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const GOALS = { cpuRatioMax: 1.3, threeVsOneMin: 0.9, deliveryP99MaxMs: 20 };
const DELIVERY = args.smoke ? { ratePerSec: 20, durationSec: 2 } : { ratePerSec: 50, durationSec: 10 };
const MCP_CALLS = args.smoke ? 9 : 60;
/** Warm-up calls per replica before a target's first measured round, and before each later one. */
const WARM_CALLS_FIRST = 8000;
const WARM_CALLS = 1000;

interface Target {
  key: 'sqlite' | 'one' | 'three' | 'three-sqlite';
  label: string;
  replicas: number;
  proxy: Balancer;
  /** The leanctx processes serving it now (replicas restart between rounds). */
  pids(): number[];
}

/** A round plus the CPU of PostgreSQL and Redis (µs per call), for the PG + Redis targets. */
type Round = RoundResult & {
  storeCpuUsPerReq: number | undefined;
  /** Each leanctx process's CPU in the window (ms), r1 first: where a sum comes from. */
  cpuMsByProcess: number[];
  /** The proxy process's CPU per call (µs): the balancer's share, the same for every target. */
  proxyCpuUsPerReq: number | undefined;
};

const READ_BODY = JSON.stringify({
  name: 'ctx_read',
  arguments: { path: 'package.json', mode: 'full' },
  contextId: 'bench',
});

const sum = (values: readonly (number | undefined)[]) =>
  values.every((v) => v !== undefined) ? values.reduce<number>((a, v) => a + (v as number), 0) : undefined;

async function readOnce(url: string, token: string): Promise<{ text: string; cached: unknown }> {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: READ_BODY,
  });
  const body = (await res.json()) as {
    result?: { isError?: boolean; content: { text?: string }[]; structuredContent?: { cached?: unknown } };
  };
  if (res.status !== 200 || !body.result || body.result.isError) {
    throw new Error(`ctx_read through ${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return { text: body.result.content[0]?.text ?? '', cached: body.result.structuredContent?.cached };
}

/** The first read of context "bench" sends the file; a bench of full reads would prove nothing. */
async function checkCached(target: Target, token: string): Promise<void> {
  for (let i = 0; i <= target.replicas; i++) await readOnce(target.proxy.url, token);
  const again = await readOnce(target.proxy.url, token);
  if (again.text.includes('"name": "leanctx"')) {
    throw new Error(`${target.label}: a re-read still sends the whole file, not the cached stub`);
  }
}

async function runTarget(fleet: ReplicaFleet, target: Target, round: number): Promise<Round> {
  // every process the target does not use is paused, so no idle sibling's timers are in its numbers
  const onSqlite = target.key === 'sqlite' || target.key === 'three-sqlite';
  // a process paused in the middle of a group commit would hold its rows (and a PostgreSQL lock)
  // past the statement timeout: the last target's servers finish their after-answer writes first
  await settle(fleet.all().map((s) => s.pid));
  fleet.activateSqlite(onSqlite ? target.replicas : 0);
  fleet.activate(onSqlite ? 0 : target.replicas);
  if (round === 1) await checkCached(target, fleet.token);
  const load = (run: { duration: number } | { amount: number }) =>
    autocannon({
      url: `${target.proxy.url}/v1/tools/call`,
      method: 'POST',
      headers: { authorization: `Bearer ${fleet.token}`, 'content-type': 'application/json' },
      body: READ_BODY,
      connections: args.concurrency,
      ...run,
    });
  const pids = target.pids();
  await settle(pids);
  // JIT and connection pools, and what Redis held for a paused replica. Counted in calls per
  // replica, not seconds: each process compiles the same code, and with three each sees a third
  // of the calls, so a warm-up in seconds leaves three replicas still optimizing (profiled).
  if (!args.smoke) await load({ amount: (round === 1 ? WARM_CALLS_FIRST : WARM_CALLS) * target.replicas });
  const storePids = () => (onSqlite ? [] : storeProcessIds(fleet.database, redisPort()));
  const latencies = new LatencyRecorder();
  const each = pids.map(processCpuMs);
  const cpuBefore = sum(each);
  const proxyBefore = processCpuMs(target.proxy.pid);
  const storeBefore = cpuByPid(storePids());
  const started = performance.now();
  const instance = load({ duration: args.durationSec });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status === 200) latencies.record(ms);
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  const eachAfter = pids.map(processCpuMs);
  const cpuAfter = sum(eachAfter);
  const proxyAfter = processCpuMs(target.proxy.pid);
  const storeMs = cpuSpentMs(storeBefore, cpuByPid(storePids()));
  const calls = latencies.count;
  return {
    round,
    requests: calls,
    seconds,
    reqPerSec: calls / seconds,
    ...latencies.summary(),
    serverCpuUsPerReq:
      cpuBefore === undefined || cpuAfter === undefined || calls === 0
        ? undefined
        : ((cpuAfter - cpuBefore) * 1000) / calls,
    storeCpuUsPerReq: onSqlite || calls === 0 ? undefined : (storeMs * 1000) / calls,
    cpuMsByProcess: eachAfter.map((ms, i) => (ms ?? Number.NaN) - (each[i] ?? Number.NaN)),
    proxyCpuUsPerReq:
      proxyBefore === undefined || proxyAfter === undefined || calls === 0
        ? undefined
        : ((proxyAfter - proxyBefore) * 1000) / calls,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until the servers idle (under a tenth of a core over 500 ms, at most 30 s): a replica
 * just started warms its tokenizer and worker threads, which is not the cost of a call.
 */
async function settle(pids: readonly number[]): Promise<void> {
  const until = performance.now() + 30_000;
  let before = sum(pids.map(processCpuMs));
  while (before !== undefined && performance.now() < until) {
    await sleep(500);
    const now = sum(pids.map(processCpuMs)) as number;
    if (now - before < 50) return;
    before = now;
  }
}

const redisPort = () => Number(new URL(REDIS_URL).port || 6379);

/** MCP requests that rotate over the replicas: any "session not found" is an error here. */
async function mcpSessionErrors(
  proxy: Balancer,
  token: string,
): Promise<{ requests: number; errors: string[] }> {
  const errors: string[] = [];
  const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  const client = new Client({ name: 'bench-replicas', version: '1' });
  client.onerror = (err) => errors.push(String(err));
  let requests = 0;
  try {
    await client.connect(transport);
    requests += 2; // initialize and its notification
    await client.listTools();
    requests++;
    for (let i = 0; i < MCP_CALLS; i++) {
      const r = await client.callTool({
        name: 'ctx_read',
        arguments: { path: 'package.json', mode: 'full' },
      });
      requests++;
      if (r.isError) errors.push(JSON.stringify(r.content).slice(0, 200));
    }
  } catch (err) {
    errors.push(String(err));
  } finally {
    await client.close().catch(() => undefined);
  }
  return { requests, errors };
}

exitOnSignal();
// each server and proxy child hooks process exit to be killed with the bench: 6 servers, 4 proxies
process.setMaxListeners(32);
let fleet: ReplicaFleet | undefined;
let exitCode = 0;
try {
  fleet = await startReplicaFleet({
    replicas: 3,
    redisUrl: REDIS_URL,
    nodeArgs: (label) => profileFlags(args.profile, label),
    sampleFile: fileURLToPath(new URL('../package.json', import.meta.url)),
    isolatedSqlite: 2,
  });
  exitCode = await bench(fleet);
} catch (err) {
  console.error(`replicas bench failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await fleet?.close();
}
process.exit(exitCode);

async function bench(fleet: ReplicaFleet): Promise<number> {
  const [r1, r2, r3] = fleet.replicas.map((r) => r.url) as [string, string, string];
  const targets: Target[] = [
    {
      key: 'sqlite',
      label: 'one process, SQLite',
      replicas: 1,
      proxy: await fleet.proxy([fleet.sqlite.url]),
      pids: () => [fleet.sqlite.pid],
    },
    {
      key: 'one',
      label: 'one replica, PostgreSQL + Redis',
      replicas: 1,
      proxy: await fleet.proxy([r1]),
      pids: () => [fleet.replicas[0]!.pid],
    },
    {
      key: 'three',
      label: 'three replicas, PostgreSQL + Redis',
      replicas: 3,
      proxy: await fleet.proxy([r1, r2, r3]),
      pids: () => fleet.replicas.map((r) => r.pid),
    },
    {
      // the control: the same split over three processes, nothing shared between them
      key: 'three-sqlite',
      label: 'three independent SQLite processes (control: nothing shared)',
      replicas: 3,
      proxy: await fleet.proxy([fleet.sqlite.url, ...fleet.isolated.map((s) => s.url)]),
      pids: () => [fleet.sqlite.pid, ...fleet.isolated.map((s) => s.pid)],
    },
  ];
  const startLoad = loadAverage();
  console.log(
    `replicas bench: ${args.rounds} round(s) × ${args.durationSec} s per target, ${args.concurrency} connections, ` +
      `cached ctx_read over REST through a round-robin proxy process; load average ${startLoad}`,
  );
  console.log(`database ${fleet.database}, Redis key prefix ${fleet.keyPrefix} (both removed afterwards)`);
  const rounds = await runAlternating(
    targets,
    args.rounds,
    (target, round) => runTarget(fleet, target, round),
    (target, r) =>
      console.log(
        `  round ${r.round} ${target.key}: ${formatRate(r.reqPerSec)} req/s, p99 ${formatMs(r.p99Ms)} ms, ` +
          `${formatCpuUs(r.serverCpuUsPerReq)} µs CPU/call${r.errors ? `, ${r.errors} errors` : ''}`,
      ),
  );
  const of = (key: Target['key']) => (rounds.get(key) ?? []) as Round[];
  const cpuRatios = of('one').flatMap((r) => {
    const base = of('sqlite').find((s) => s.round === r.round)?.serverCpuUsPerReq;
    return base && r.serverCpuUsPerReq !== undefined ? [r.serverCpuUsPerReq / base] : [];
  });
  const cpuRatio = median(cpuRatios);
  const scaleRatio = medianRoundRatio(of('three'), of('one'));
  // what three processes on these cores keep with nothing to coordinate, and what is left for coordination
  const splitRatio = medianRoundRatio(of('three-sqlite'), of('sqlite'));
  const coordinationRatio = scaleRatio / splitRatio;
  const storeCpu = (key: Target['key']) => {
    const values = of(key).flatMap((r) => (r.storeCpuUsPerReq === undefined ? [] : [r.storeCpuUsPerReq]));
    return values.length ? median(values) : undefined;
  };

  fleet.activateSqlite(1);
  fleet.activate(3);
  await settle(fleet.replicas.map((r) => r.pid));
  const delivery = await measureCrossReplicaDelivery({
    subscribeUrl: r1,
    writeUrls: [r2, r3],
    token: fleet.token,
    ...DELIVERY,
  });
  const mcp = await mcpSessionErrors(targets[2]!.proxy, fleet.token);
  // what the replicas logged over the whole run: an event append that failed is a frame no subscriber gets
  const logged = Object.fromEntries(
    LOG_LINES_COUNTED.map((m) => [m, fleet.replicas.reduce((n, r) => n + (r.logLineCounts()[m] ?? 0), 0)]),
  );

  const rows = targets.map((t) => {
    const s = summarize(of(t.key));
    const goal =
      t.key === 'one'
        ? `CPU/call ≤ ${GOALS.cpuRatioMax}× SQLite: ${formatRatio(cpuRatio)} ${cpuRatio <= GOALS.cpuRatioMax ? 'met' : 'MISSED'}`
        : t.key === 'three'
          ? `req/s ≥ ${GOALS.threeVsOneMin}× one replica: ${formatRatio(scaleRatio)} ${scaleRatio >= GOALS.threeVsOneMin ? 'met' : 'MISSED'}`
          : t.key === 'three-sqlite'
            ? `— (${formatRatio(splitRatio)} one SQLite process; three replicas keep ${formatRatio(coordinationRatio)} of that)`
            : '— (the base)';
    return { target: t, summary: s, storeCpuUs: storeCpu(t.key), goal };
  });
  console.log('');
  console.log(
    markdownTable(
      [
        { title: 'target' },
        { title: 'req/s', right: true },
        { title: 'p50 ms', right: true },
        { title: 'p99 ms', right: true },
        { title: 'leanctx CPU µs/call', right: true },
        { title: 'PG + Redis CPU µs/call', right: true },
        { title: 'goal' },
      ],
      rows.map((r) => [
        r.target.label,
        formatRate(r.summary.reqPerSec),
        formatMs(r.summary.p50Ms),
        formatMs(r.summary.p99Ms),
        formatCpuUs(r.summary.serverCpuUsPerReq),
        r.target.key === 'sqlite' || r.target.key === 'three-sqlite'
          ? '— (in process)'
          : formatCpuUs(r.storeCpuUs),
        r.goal,
      ]),
    ),
  );
  const deliveryMet = delivery.p99Ms <= GOALS.deliveryP99MaxMs;
  // a write answered 503 was refused, not lost (the store's overload answer): reported, not fatal
  const refusedNote =
    delivery.failedWrites > 0
      ? `; ${delivery.failedWrites} of the offered writes were refused (503 store_unavailable or no answer)`
      : '';
  console.log('');
  console.log(
    markdownTable(
      [
        { title: 'cross-replica delivery' },
        { title: 'writes', right: true },
        { title: 'writes/s', right: true },
        { title: 'missing', right: true },
        { title: 'gaps or reorders', right: true },
        { title: 'answer→frame p50 ms', right: true },
        { title: 'p99 ms', right: true },
        { title: 'sent→frame p50 ms', right: true },
        { title: 'p99 ms', right: true },
        { title: 'goal' },
      ],
      [
        [
          'SSE on r1, findings written through r2 and r3',
          String(delivery.acknowledged),
          formatRate(delivery.writesPerSec),
          String(delivery.missing),
          String(delivery.outOfOrder),
          formatMs(delivery.p50Ms),
          formatMs(delivery.p99Ms),
          formatMs(delivery.fromSendP50Ms),
          formatMs(delivery.fromSendP99Ms),
          `p99 ≤ ${GOALS.deliveryP99MaxMs} ms: ${deliveryMet ? 'met' : 'MISSED'}`,
        ],
      ],
    ),
  );
  console.log('');
  console.log(
    `replicas logged over the run: ${Object.entries(logged)
      .map(([m, n]) => `"${m}" ${n}×`)
      .join(', ')}${refusedNote}`,
  );
  for (const r of fleet.replicas) {
    for (const line of Object.values(r.firstLogLines()))
      console.log(`  first such line of ${r.label}: ${line}`);
  }
  console.log(
    `MCP session errors across replicas: ${mcp.errors.length} in ${mcp.requests} requests (goal 0: ${mcp.errors.length === 0 ? 'met' : 'MISSED'})`,
  );
  const endLoad = loadAverage();
  console.log(
    `medians of ${args.rounds} round(s); ratios are medians of per-round ratios; CPU is user + system time ` +
      'of the leanctx processes (all three for the three-process targets) per answered call; "PG + Redis" adds the PostgreSQL ' +
      `backends of the bench database and redis-server; load average at the end ${endLoad}`,
  );

  const file = writeResults(args.smoke ? 'replicas-smoke' : 'replicas', {
    bench: 'replicas',
    machine: machineInfo(),
    settings: {
      connections: args.concurrency,
      durationSec: args.durationSec,
      rounds: args.rounds,
      smoke: args.smoke,
      delivery: DELIVERY,
      loadAverageStart: startLoad,
      loadAverageEnd: endLoad,
    },
    goals: GOALS,
    targets: rows.map((r) => ({
      key: r.target.key,
      label: r.target.label,
      summary: r.summary,
      storeCpuUsPerReq: r.storeCpuUs ?? null,
      rounds: of(r.target.key),
    })),
    ratios: {
      cpuOneReplicaVsSqlite: cpuRatio,
      cpuGoalMet: cpuRatio <= GOALS.cpuRatioMax,
      reqPerSecThreeVsOne: scaleRatio,
      scaleGoalMet: scaleRatio >= GOALS.threeVsOneMin,
      reqPerSecThreeIsolatedVsOneSqlite: splitRatio,
      coordinationShare: coordinationRatio,
    },
    delivery: { ...delivery, goalMet: deliveryMet } satisfies DeliveryResult & { goalMet: boolean },
    mcp: { requests: mcp.requests, sessionErrors: mcp.errors },
    replicaLogLines: logged,
  });
  console.log(`results: ${file}`);

  const failed = [
    ...rows
      .filter((r) => r.summary.errors > 0)
      .map((r) => `${r.target.label}: ${r.summary.errors} failed calls`),
    ...(delivery.missing + delivery.outOfOrder + delivery.duplicates > 0
      ? [
          `events: ${delivery.missing} missing, ${delivery.outOfOrder} out of order, ${delivery.duplicates} twice` +
            `${delivery.streamEndedEarly ? '; the server ended the SSE stream early' : ''} (last event id seen ${delivery.lastEventId}; ${delivery.arrivedAfterNudge} more came after one more write)`,
        ]
      : []),
    ...(mcp.errors.length > 0 ? [`MCP: ${mcp.errors.slice(0, 3).join('; ')}`] : []),
  ];
  if (failed.length > 0) {
    console.error(`the numbers above are not trustworthy:\n  ${failed.join('\n  ')}`);
    return 1;
  }
  return 0;
}

/** 1, 5 and 15 minute load averages: how busy the shared machine was. */
function loadAverage(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}
