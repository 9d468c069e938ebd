// Bench `mcp` (BENCH.md): tools/call over our /mcp against the reference server
// (@modelcontextprotocol/server-everything, Streamable HTTP, its echo tool), alternating in the
// same run, 16 SDK client sessions each calling in a loop.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { parseBenchArgs } from './lib/bench-args.ts';
import { type ChildServer, exitOnSignal, findFreePort, startChildServer } from './lib/child-server.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import { machineInfo, profileFlags, writeResults } from './lib/results.ts';
import { runAlternating } from './lib/rounds.ts';
import {
  cpuUsPerRequest,
  LatencyRecorder,
  medianRoundRatio,
  type RoundResult,
  summarize,
} from './lib/stats.ts';
import { formatMs, formatRate, latencyTable } from './lib/table.ts';
import { startTeamChild, type TeamChild } from './lib/team-child.ts';

const USAGE = `usage: node --import tsx bench/mcp.ts [--smoke] [--duration S] [--rounds N] [--concurrency C] [--profile]
  --duration S      seconds per target per round (default 5; smoke 1)
  --rounds N        alternating rounds (default 3; smoke 1)
  --concurrency C   concurrent MCP sessions, each calling in a loop (default 16; smoke 4)
  --profile         write CPU profiles of the server processes to bench/results/profiles`;

const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 5, rounds: 3, concurrency: 16, smoke: { durationSec: 1, rounds: 1, concurrency: 4 } },
  USAGE,
);

const GOAL_MIN_RATIO = 1.5;

interface McpTarget {
  key: 'reference' | 'ours' | 'oursEcho';
  label: string;
  url: string;
  headers: Record<string, string>;
  tool: string;
  arguments: Record<string, unknown>;
  /** The server process, for its CPU per call. */
  pid: number;
}

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
}

async function openSessions(target: McpTarget, count: number): Promise<Session[]> {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const client = new Client({ name: `leanctx-bench-${i}`, version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(target.url), {
        requestInit: { headers: target.headers },
      });
      await client.connect(transport);
      return { client, transport };
    }),
  );
}

async function closeSessions(sessions: readonly Session[]): Promise<void> {
  await Promise.all(
    sessions.map(async ({ client, transport }) => {
      await transport.terminateSession().catch(() => undefined);
      await client.close().catch(() => undefined);
    }),
  );
}

/** Every session calls the tool back to back until the deadline. */
async function runRound(
  target: McpTarget,
  sessions: readonly Session[],
  durationSec: number,
  round: number,
): Promise<RoundResult> {
  const latencies = new LatencyRecorder();
  let errors = 0;
  const cpuBefore = processCpuMs(target.pid);
  const started = performance.now();
  const deadline = started + durationSec * 1000;
  await Promise.all(
    sessions.map(async ({ client }) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        try {
          const result = await client.callTool({ name: target.tool, arguments: target.arguments });
          if (result.isError) errors++;
          else latencies.record(performance.now() - t0);
        } catch {
          errors++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    round,
    requests: latencies.count,
    seconds,
    reqPerSec: latencies.count / seconds,
    ...latencies.summary(),
    serverCpuUsPerReq: cpuUsPerRequest(cpuBefore, processCpuMs(target.pid), latencies.count),
    errors,
  };
}

async function startReference(profile: boolean): Promise<ChildServer<{ port: number }>> {
  const pkg = createRequire(import.meta.url).resolve('@modelcontextprotocol/server-everything/package.json');
  const port = await findFreePort();
  return startChildServer({
    name: 'server-everything (streamableHttp)',
    args: [
      ...profileFlags(profile, 'server-everything'),
      join(dirname(pkg), 'dist', 'index.js'),
      'streamableHttp',
    ],
    env: { PORT: String(port) },
    // It logs every request to stdout (ignored) and announces its port on stderr.
    readyOn: 'stderr',
    parseReady: (line) => (/listening on port (\d+)/.test(line) ? { port } : undefined),
  });
}

exitOnSignal();
const children: { close(): Promise<void> }[] = [];
const open: Session[][] = [];
let exitCode = 0;
try {
  const reference = await startReference(args.profile);
  children.push(reference);
  const ours = await startTeamChild({ profile: args.profile });
  children.push(ours);
  exitCode = await bench(reference, ours);
} catch (err) {
  console.error(`mcp bench failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 1;
} finally {
  await Promise.all(open.map(closeSessions));
  await Promise.all(children.map((c) => c.close()));
}
process.exit(exitCode);

async function bench(reference: ChildServer<{ port: number }>, ours: TeamChild): Promise<number> {
  const targets: McpTarget[] = [
    {
      key: 'reference',
      label: 'server-everything `echo`',
      url: `http://127.0.0.1:${reference.info.port}/mcp`,
      headers: {},
      tool: 'echo',
      arguments: { message: 'hello' },
      pid: reference.pid,
    },
    {
      key: 'ours',
      label: 'leanctx /mcp `ctx_read` lines:1-5',
      url: `${ours.url}/mcp`,
      headers: { authorization: `Bearer ${ours.info.token}` },
      tool: 'ctx_read',
      arguments: { path: 'package.json', mode: 'lines:1-5' },
      pid: ours.pid,
    },
    {
      key: 'oursEcho',
      label: 'leanctx /mcp `bench_echo` (diagnostic: pipeline without engine work)',
      url: `${ours.url}/mcp`,
      headers: { authorization: `Bearer ${ours.info.token}` },
      tool: 'bench_echo',
      arguments: { message: 'hello' },
      pid: ours.pid,
    },
  ];
  const sessions = new Map<string, Session[]>();
  for (const target of targets) {
    const opened = await openSessions(target, args.concurrency);
    open.push(opened);
    sessions.set(target.key, opened);
    // A failing call here stops the bench: a loop of errors would measure nothing.
    const check = await opened[0]!.client.callTool({ name: target.tool, arguments: target.arguments });
    if (check.isError)
      throw new Error(`${target.label}: the tool call failed: ${JSON.stringify(check.content)}`);
  }

  console.log(
    `mcp bench: ${args.rounds} round(s) × ${args.durationSec} s per target, ${args.concurrency} sessions ` +
      `(SDK Client + StreamableHTTPClientTransport, one call in flight each), servers in child processes ` +
      `(pids ${reference.pid}, ${ours.pid}); leanctx rate limit raised to maxRps=${ours.info.maxRps}, ` +
      `rateBurst=${ours.info.rateBurst}, audit on`,
  );
  if (!args.smoke) {
    for (const target of targets) await runRound(target, sessions.get(target.key)!, 1, 0);
  }
  const rounds = await runAlternating(
    targets,
    args.rounds,
    (target, round) => runRound(target, sessions.get(target.key)!, args.durationSec, round),
    (target, r) =>
      console.log(
        `  round ${r.round} ${target.key}: ${formatRate(r.reqPerSec)} req/s, p50 ${formatMs(r.p50Ms)} ms, ` +
          `p99 ${formatMs(r.p99Ms)} ms${r.errors ? `, ${r.errors} errors` : ''}`,
      ),
  );

  const refRounds = rounds.get('reference') ?? [];
  const rows = targets.map((target) => {
    const ownRounds = rounds.get(target.key) ?? [];
    return { target, summary: summarize(ownRounds), ratio: medianRoundRatio(ownRounds, refRounds) };
  });
  const ratio = rows.find((r) => r.target.key === 'ours')!.ratio;
  const echoRatio = rows.find((r) => r.target.key === 'oursEcho')!.ratio;

  console.log('');
  console.log(
    latencyTable(
      'vs reference',
      'server CPU µs/call',
      rows.map(({ target, summary, ratio }) => ({
        label: target.label,
        summary,
        ratio,
        goal:
          target.key === 'ours' ? `≥ ${GOAL_MIN_RATIO}×: ${ratio >= GOAL_MIN_RATIO ? 'met' : 'MISSED'}` : '—',
      })),
    ),
  );
  console.log('');
  console.log(
    `medians of ${args.rounds} round(s) at ${args.concurrency} sessions; "vs reference" is the median of per-round ratios`,
  );

  const file = writeResults(args.smoke ? 'mcp-smoke' : 'mcp', {
    bench: 'mcp',
    machine: machineInfo(),
    settings: {
      sessions: args.concurrency,
      durationSec: args.durationSec,
      rounds: args.rounds,
      smoke: args.smoke,
      rateLimit: { maxRps: ours.info.maxRps, rateBurst: ours.info.rateBurst },
    },
    targets: rows.map(({ target, summary, ratio }) => ({
      key: target.key,
      label: target.label,
      tool: target.tool,
      summary,
      ratioVsReference: ratio,
      rounds: rounds.get(target.key),
    })),
    goal: { minRatio: GOAL_MIN_RATIO, met: ratio >= GOAL_MIN_RATIO },
    diagnosticEchoRatio: echoRatio,
  });
  console.log(`results: ${file}`);
  const errors = rows.reduce((sum, r) => sum + r.summary.errors, 0);
  if (errors > 0) {
    console.error(`${errors} calls failed; the numbers above are not trustworthy`);
    return 1;
  }
  return 0;
}
