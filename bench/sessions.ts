// `npm run bench -- sessions`: shared sessions under load. Each part is one function that
// returns its table rows; (a) below is the write → SSE delivery part, and the knowledge
// recall part (b) goes beside it in PARTS.
//
// (a) N agents on one channel, each holding an SSE stream and writing findings at a steady
// rate: from a write's send to its `session_mutated` at every other agent (p50/p99), the
// writes per second sustained, and lost updates (the final revision against the writes
// acknowledged, and every revision seen exactly once by every agent). Then the same agents
// write as fast as they are answered, for the rate the server sustains.
import { parseBenchArgs } from './lib/bench-args.ts';
import { exitOnSignal } from './lib/child-server.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { LatencyRecorder } from './lib/stats.ts';
import { formatMs, formatRate, markdownTable } from './lib/table.ts';
import { startTeamChild, type TeamChild } from './lib/team-child.ts';

const USAGE = `usage: npm run bench -- sessions [--smoke] [--duration S] [--concurrency AGENTS] [--profile]
  --duration S        seconds of each load phase (default 10; smoke 2)
  --concurrency N     agents on the channel (default 32; smoke 8)`;

const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 10, rounds: 1, concurrency: 32, smoke: { durationSec: 2, rounds: 1, concurrency: 8 } },
  USAGE,
);
/** The goal's load and bound: delivery p99 ≤ 50 ms at 200 writes/s. */
const GOAL = { writesPerSec: 200, p99Ms: 50 };
const STEADY_RATE = args.smoke ? 50 : GOAL.writesPerSec;
const SCOPES = ['search', 'events', 'sessionMutations'];

interface PhaseResult {
  phase: string;
  agents: number;
  writes: number;
  writesPerSec: number;
  deliveries: number;
  missing: number;
  duplicates: number;
  lostUpdates: number;
  /** Writes that got no answer (not lost: they may or may not have been applied). */
  errors: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuUsPerWrite: number | undefined;
  /** CPU this bench process spent per write (its 32 SSE readers and the writers). */
  clientCpuUsPerWrite: number;
}

interface Agent {
  name: string;
  /** revision → when this agent's stream delivered it. */
  received: Map<number, number>;
  duplicates: number;
  close(): void;
}

async function openAgent(server: TeamChild, name: string, channel: string): Promise<Agent> {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/v1/events?channelId=${channel}`, {
    headers: { authorization: `Bearer ${server.info.token}`, 'x-leanctx-agent': name },
    signal: controller.signal,
  });
  if (res.status !== 200 || !res.body) throw new Error(`SSE for ${name} answered ${res.status}`);
  const agent: Agent = { name, received: new Map(), duplicates: 0, close: () => controller.abort() };
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (done) return;
      const now = performance.now();
      buf += decoder.decode(value, { stream: true });
      const end = buf.lastIndexOf('\n\n');
      if (end < 0) continue;
      // only session_mutated payloads carry a sessionRevision: no JSON parse per frame
      for (const m of buf.slice(0, end).matchAll(/"sessionRevision":(\d+)/g)) {
        const revision = Number(m[1]);
        if (agent.received.has(revision)) agent.duplicates++;
        else agent.received.set(revision, now);
      }
      buf = buf.slice(end + 2);
    }
  })();
  return agent;
}

async function write(server: TeamChild, channel: string, agent: string, text: string): Promise<number> {
  const res = await fetch(`${server.url}/v1/tools/call`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${server.info.token}`,
      'content-type': 'application/json',
      'x-leanctx-agent': agent,
    },
    body: JSON.stringify({
      name: 'ctx_session',
      arguments: { action: 'finding', value: text },
      channelId: channel,
    }),
  });
  const body = (await res.json()) as { result?: { content: { text: string }[] } };
  const rev = /\(rev (\d+)\)/.exec(body.result?.content[0]?.text ?? '')?.[1];
  if (res.status !== 200 || !rev) throw new Error(`write answered ${res.status}: ${JSON.stringify(body)}`);
  return Number(rev);
}

async function finalRevision(server: TeamChild, channel: string): Promise<number> {
  const res = await fetch(`${server.url}/v1/sessions`, {
    headers: { authorization: `Bearer ${server.info.token}` },
  });
  const body = (await res.json()) as { channels: { channelId: string; sessionRevision: number }[] };
  return body.channels.find((c) => c.channelId === channel)?.sessionRevision ?? 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Until the server is idle: its worker threads load parsers and the tokenizer after it
 * starts, which would be charged to the first phase's writes.
 */
async function settle(server: TeamChild): Promise<void> {
  for (let i = 0; i < 10; i++) await write(server, 'bench-warmup', 'warmup', `warm-up ${i}`);
  const until = performance.now() + 30_000;
  let before = processCpuMs(server.pid);
  while (before !== undefined && performance.now() < until) {
    await sleep(500);
    const now = processCpuMs(server.pid) as number;
    if (now - before < 50) return;
    before = now;
  }
}

/**
 * One load phase on a fresh channel. `rate` writes/s spread evenly over the agents, or
 * undefined: each agent writes again as soon as it is answered.
 */
async function phase(server: TeamChild, label: string, rate: number | undefined): Promise<PhaseResult> {
  const channel = `bench-${label.replace(/\W+/g, '-')}`;
  const names = Array.from({ length: args.concurrency }, (_, i) => `agent-${i}`);
  const agents = await Promise.all(names.map((n) => openAgent(server, n, channel)));
  await sleep(200);
  const sentAt = new Map<number, { at: number; by: number }>();
  let acked = 0;
  let errors = 0;
  const deadline = performance.now() + args.durationSec * 1000;
  const cpuBefore = processCpuMs(server.pid);
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const send = async (i: number, n: number) => {
    const at = performance.now();
    try {
      const revision = await write(server, channel, names[i] as string, `agent ${i} finding ${n}`);
      acked++;
      sentAt.set(revision, { at, by: i });
    } catch (err) {
      // a write that failed (a connect timeout on a loaded machine) is counted, not fatal
      errors++;
      if (errors === 1) console.error(`a write failed: ${String(err)}`);
    }
  };
  // at a rate: each agent sends on its own schedule, answered or not (open loop)
  const writer = async (i: number) => {
    const pending: Promise<void>[] = [];
    const every = rate === undefined ? 0 : (1000 * args.concurrency) / rate;
    let next = performance.now() + (every * i) / args.concurrency;
    for (let n = 0; performance.now() < deadline; n++) {
      if (every === 0) {
        await send(i, n);
        continue;
      }
      await sleep(Math.max(0, next - performance.now()));
      next += every;
      pending.push(send(i, n));
    }
    await Promise.all(pending);
  };
  await Promise.all(names.map((_, i) => writer(i)));
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = processCpuMs(server.pid);
  const client = process.cpuUsage(clientBefore);
  // every other agent should see every write; give slow streams a few seconds
  const waiting = () =>
    agents.some((a, i) => [...sentAt].some(([revision, s]) => s.by !== i && !a.received.has(revision)));
  const waitUntil = performance.now() + 5000;
  while (performance.now() < waitUntil && waiting()) await sleep(50);
  for (const a of agents) a.close();

  const latency = new LatencyRecorder();
  let missing = 0;
  agents.forEach((agent, i) => {
    for (const [revision, sent] of sentAt) {
      if (sent.by === i) continue;
      const got = agent.received.get(revision);
      if (got === undefined) missing++;
      else latency.record(got - sent.at);
    }
  });
  const writes = acked;
  // two writes answered with one revision would be a lost update, and so would a revision
  // the store no longer has
  const lostUpdates = acked - sentAt.size + Math.max(0, acked - (await finalRevision(server, channel)));
  const cpu =
    cpuBefore !== undefined && cpuAfter !== undefined ? ((cpuAfter - cpuBefore) * 1000) / writes : undefined;
  return {
    phase: label,
    agents: args.concurrency,
    writes,
    writesPerSec: writes / seconds,
    deliveries: latency.count,
    missing,
    duplicates: agents.reduce((n, a) => n + a.duplicates, 0),
    lostUpdates,
    errors,
    ...latency.summary(),
    serverCpuUsPerWrite: cpu,
    clientCpuUsPerWrite: (client.user + client.system) / writes,
  };
}

/** (a) write → SSE delivery at every other agent. */
async function deliveryPart(
  server: TeamChild,
): Promise<{ table: string; results: PhaseResult[]; met: boolean }> {
  await settle(server);
  const steady = await phase(server, `steady ${STEADY_RATE}/s`, STEADY_RATE);
  const flat = await phase(server, 'as fast as answered', undefined);
  const results = [steady, flat];
  const table = markdownTable(
    [
      { title: 'phase' },
      { title: 'agents', right: true },
      { title: 'writes/s', right: true },
      { title: 'deliveries', right: true },
      { title: 'p50 ms', right: true },
      { title: 'p99 ms', right: true },
      { title: 'lost updates', right: true },
      { title: 'failed writes', right: true },
      { title: 'missed / duplicate deliveries', right: true },
      { title: 'server CPU µs/write', right: true },
      { title: 'bench client CPU µs/write', right: true },
    ],
    results.map((r) => [
      r.phase,
      String(r.agents),
      formatRate(r.writesPerSec),
      r.deliveries.toLocaleString('en-US'),
      formatMs(r.p50Ms),
      formatMs(r.p99Ms),
      String(r.lostUpdates),
      String(r.errors),
      `${r.missing} / ${r.duplicates}`,
      r.serverCpuUsPerWrite === undefined ? 'n/a' : Math.round(r.serverCpuUsPerWrite).toLocaleString('en-US'),
      Math.round(r.clientCpuUsPerWrite).toLocaleString('en-US'),
    ]),
  );
  const met = steady.p99Ms <= GOAL.p99Ms && steady.writesPerSec >= STEADY_RATE * 0.95;
  return { table, results, met };
}

const PARTS = [{ name: 'delivery', run: deliveryPart }];

exitOnSignal();
const server = await startTeamChild({ profile: args.profile, scopes: SCOPES });
let failed = false;
const output: Record<string, unknown> = { machine: machineInfo(), args };
try {
  for (const part of PARTS) {
    const { table, results, met } = await part.run(server);
    output[part.name] = results;
    console.log(`\n${table}\n`);
    const sound = results.every((r) => r.lostUpdates === 0 && r.missing === 0 && r.duplicates === 0);
    console.log(
      `${part.name}: goal delivery p99 ≤ ${GOAL.p99Ms} ms at ${GOAL.writesPerSec} writes/s: ${args.smoke ? 'not judged at smoke size' : met ? 'met' : 'missed'}; zero lost updates: ${sound ? 'yes' : 'NO'}`,
    );
    if (!sound) failed = true;
  }
} finally {
  await server.close();
}
console.log(`results: ${writeResults('sessions', output)}`);
if (failed) process.exit(1);
