// Bench `http` (BENCH.md): our GET /health and an authenticated, audited POST /v1/tools/call
// against a bare node:http JSON hello world, alternating in the same run, autocannon at c=32.
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { parseBenchArgs } from './lib/bench-args.ts';
import { type ChildServer, exitOnSignal, parseReadyJson, startChildServer } from './lib/child-server.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import { machineInfo, profileFlags, writeResults } from './lib/results.ts';
import { runAlternating } from './lib/rounds.ts';
import {
  cpuUsPerRequest,
  LatencyRecorder,
  medianRoundRatio,
  type RoundResult,
  summarize,
  type TargetSummary,
} from './lib/stats.ts';
import { formatMs, formatRate, latencyTable } from './lib/table.ts';
import { startTeamChild, type TeamChild } from './lib/team-child.ts';

const USAGE = `usage: node --import tsx bench/http.ts [--smoke] [--duration S] [--rounds N] [--concurrency C] [--profile]
  --duration S      seconds per target per round (default 5; smoke 1)
  --rounds N        alternating rounds (default 3; smoke 1)
  --concurrency C   autocannon connections (default 32; smoke 4)
  --profile         write CPU profiles of the server processes to bench/results/profiles`;

const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 5, rounds: 3, concurrency: 32, smoke: { durationSec: 1, rounds: 1, concurrency: 4 } },
  USAGE,
);

interface Goal {
  minRatio: number;
  maxP99Ms?: number;
  /** Server CPU per request, µs (issue 8). */
  maxCpuUs?: number;
}

interface HttpTarget {
  key: string;
  label: string;
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The server process, for its CPU per request. */
  pid: number;
  goal?: Goal;
}

const ECHO_BODY = JSON.stringify({
  name: 'bench_echo',
  arguments: { message: 'hello' },
  contextId: 'bench',
});

const CALL_BODY = JSON.stringify({
  name: 'ctx_read',
  arguments: { path: 'package.json', mode: 'lines:1-5' },
  contextId: 'bench',
});

async function runAutocannon(target: HttpTarget, durationSec: number, round: number): Promise<RoundResult> {
  const latencies = new LatencyRecorder();
  const cpuBefore = processCpuMs(target.pid);
  const started = performance.now();
  const instance = autocannon({
    url: target.url,
    method: target.method,
    headers: target.headers,
    body: target.body,
    connections: args.concurrency,
    duration: durationSec,
  });
  // autocannon's own histogram has 1 ms resolution; record exact response times instead.
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.record(ms);
  });
  const result = await instance;
  const seconds = (performance.now() - started) / 1000;
  return {
    round,
    requests: latencies.count,
    seconds,
    reqPerSec: latencies.count / seconds,
    ...latencies.summary(),
    serverCpuUsPerReq: cpuUsPerRequest(cpuBefore, processCpuMs(target.pid), latencies.count),
    errors: result.errors + result.timeouts + result.non2xx,
  };
}

/** One request per target before measuring: a bench of 401s or tool errors would prove nothing. */
async function checkTarget(target: HttpTarget): Promise<void> {
  const res = await fetch(target.url, { method: target.method, headers: target.headers, body: target.body });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${target.label}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  const parsed = target.body ? (JSON.parse(text) as { result?: { isError?: boolean } }) : undefined;
  if (parsed && (!parsed.result || parsed.result.isError === true)) {
    throw new Error(`${target.label}: the tool call did not succeed: ${text.slice(0, 300)}`);
  }
}

exitOnSignal();
const children: { close(): Promise<void> }[] = [];
let exitCode = 0;
try {
  const bare = await startChildServer<{ port: number }>({
    name: 'bare node:http',
    args: [
      ...profileFlags(args.profile, 'bare-http'),
      '--import',
      'tsx',
      fileURLToPath(new URL('servers/bare-http.ts', import.meta.url)),
    ],
    readyOn: 'stdout',
    parseReady: parseReadyJson,
  });
  children.push(bare);
  const ours = await startTeamChild({ profile: args.profile });
  children.push(ours);
  exitCode = await bench(bare, ours);
} catch (err) {
  console.error(`http bench failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await Promise.all(children.map((c) => c.close()));
}
process.exit(exitCode);

async function bench(bare: ChildServer<{ port: number }>, ours: TeamChild): Promise<number> {
  const targets: HttpTarget[] = [
    {
      key: 'bare',
      label: 'bare node:http `GET /`',
      url: `http://127.0.0.1:${bare.info.port}/`,
      method: 'GET',
      pid: bare.pid,
    },
    {
      key: 'health',
      label: 'leanctx `GET /health`',
      url: `${ours.url}/health`,
      method: 'GET',
      pid: ours.pid,
      goal: { minRatio: 0.8 },
    },
    {
      key: 'toolsCall',
      label: 'leanctx `POST /v1/tools/call` (ctx_read lines:1-5, audit on)',
      url: `${ours.url}/v1/tools/call`,
      method: 'POST',
      headers: { authorization: `Bearer ${ours.info.token}`, 'content-type': 'application/json' },
      body: CALL_BODY,
      pid: ours.pid,
      goal: { minRatio: 0.25, maxCpuUs: 120 },
    },
    {
      key: 'toolsCallEcho',
      label: 'leanctx `POST /v1/tools/call` `bench_echo` (diagnostic: pipeline without engine work)',
      url: `${ours.url}/v1/tools/call`,
      method: 'POST',
      headers: { authorization: `Bearer ${ours.info.token}`, 'content-type': 'application/json' },
      body: ECHO_BODY,
      pid: ours.pid,
    },
  ];
  for (const target of targets) await checkTarget(target);

  console.log(
    `http bench: ${args.rounds} round(s) × ${args.durationSec} s per target, ${args.concurrency} connections, ` +
      `servers in child processes (pids ${bare.pid}, ${ours.pid})`,
  );
  console.log(
    `leanctx rate limit raised to maxRps=${ours.info.maxRps}, rateBurst=${ours.info.rateBurst} so it never ` +
      'answers 429 (the limiter still runs on every request); audit log on',
  );
  if (!args.smoke) {
    for (const target of targets) await runAutocannon(target, 1, 0);
  }
  const auditBefore = ours.auditLines();
  const rounds = await runAlternating(
    targets,
    args.rounds,
    (target, round) => runAutocannon(target, args.durationSec, round),
    (target, r) =>
      console.log(
        `  round ${r.round} ${target.key}: ${formatRate(r.reqPerSec)} req/s, p50 ${formatMs(r.p50Ms)} ms, ` +
          `p99 ${formatMs(r.p99Ms)} ms${r.errors ? `, ${r.errors} errors` : ''}`,
      ),
  );
  const auditWritten = ours.auditLines() - auditBefore;

  const summaries = new Map<string, TargetSummary>(
    targets.map((t) => [t.key, summarize(rounds.get(t.key) ?? [])]),
  );
  const bareRounds = rounds.get('bare') ?? [];
  const rows = targets.map((t) => {
    const s = summaries.get(t.key)!;
    const ratio = medianRoundRatio(rounds.get(t.key) ?? [], bareRounds);
    const met = t.goal
      ? ratio >= t.goal.minRatio &&
        (t.goal.maxP99Ms === undefined || s.p99Ms < t.goal.maxP99Ms) &&
        (t.goal.maxCpuUs === undefined ||
          (s.serverCpuUsPerReq ?? Number.POSITIVE_INFINITY) <= t.goal.maxCpuUs)
      : undefined;
    return { target: t, summary: s, ratio, met };
  });

  console.log('');
  console.log(
    latencyTable(
      'vs bare',
      'server CPU µs/req',
      rows.map(({ target, summary, ratio, met }) => ({
        label: target.label,
        summary,
        ratio,
        goal: target.goal
          ? `≥ ${target.goal.minRatio}×${target.goal.maxP99Ms ? `, p99 < ${target.goal.maxP99Ms} ms` : ''}${target.goal.maxCpuUs ? `, ≤ ${target.goal.maxCpuUs} µs CPU` : ''}: ${met ? 'met' : 'MISSED'}`
          : '—',
      })),
    ),
  );
  console.log('');
  console.log(
    `medians of ${args.rounds} round(s); "vs bare" is the median of per-round ratios; audit lines written while measuring: ${auditWritten.toLocaleString('en-US')}`,
  );

  const errors = rows.reduce((sum, r) => sum + r.summary.errors, 0);
  const file = writeResults(args.smoke ? 'http-smoke' : 'http', {
    bench: 'http',
    machine: machineInfo(),
    settings: {
      connections: args.concurrency,
      durationSec: args.durationSec,
      rounds: args.rounds,
      smoke: args.smoke,
      rateLimit: { maxRps: ours.info.maxRps, rateBurst: ours.info.rateBurst },
      auditLinesWritten: auditWritten,
    },
    targets: rows.map(({ target, summary, ratio, met }) => ({
      key: target.key,
      label: target.label,
      method: target.method,
      path: new URL(target.url).pathname,
      summary,
      ratioVsBare: ratio,
      goal: target.goal ?? null,
      goalMet: met ?? null,
      rounds: rounds.get(target.key),
    })),
  });
  console.log(`results: ${file}`);
  if (errors > 0) {
    console.error(`${errors} requests failed or were not 2xx; the numbers above are not trustworthy`);
    return 1;
  }
  return 0;
}
