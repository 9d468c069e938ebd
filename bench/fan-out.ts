// Bench `fan-out` (issue 13: "Redis pub/sub or PostgreSQL LISTEN/NOTIFY — measure and
// choose"): events appended through the PostgreSQL event store in this process reach a
// receiving process by each mechanism, alternating rounds in the same run on the same cores.
// Per event: from the append call and from its commit (the append settling here) to its
// arrival there (both wall clocks of this machine), and CPU per event of the writer, the
// receiver and PostgreSQL + Redis.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createEventHub, type EventFanOut } from '../src/events/event-hub.ts';
import { createRedisFanOut } from '../src/events/redis-fan-out.ts';
import { silentLogger } from '../src/logger.ts';
import { createPgEventStore } from '../src/store/postgres/event-store.ts';
import { runMigrations } from '../src/store/postgres/migrate.ts';
import { MIGRATIONS } from '../src/store/postgres/migrations/index.ts';
import { createPgDatabase } from '../src/store/postgres/pool.ts';
import { createRedisLink } from '../src/store/redis/redis-link.ts';
import { withTestDatabase } from '../test/helpers/postgres.ts';
import { parseBenchArgs } from './lib/bench-args.ts';
import { machineInfo, writeResults } from './lib/results.ts';
import { LatencyRecorder, median } from './lib/stats.ts';
import { cpuByPid, cpuSpentMs, storeProcessIds } from './lib/store-cpu.ts';
import { formatCpuUs, formatMs, markdownTable } from './lib/table.ts';

const USAGE = `usage: npm run bench -- fan-out [--smoke] [--duration S] [--rounds N] [--concurrency C]
  --duration S      seconds of appends per mechanism per round (default 5; smoke 1)
  --rounds N        alternating rounds (default 3; smoke 1)
  --concurrency C   events appended per second, in hundreds (default 4 = 400/s; smoke 1)
PostgreSQL at 127.0.0.1:5432 (database test, trust auth) and Redis at LEANCTX_BENCH_REDIS_URL
(default redis://127.0.0.1:6379) must be up.`;

const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 5, rounds: 3, concurrency: 4, smoke: { durationSec: 1, rounds: 1, concurrency: 1 } },
  USAGE,
);
const REDIS_URL = process.env.LEANCTX_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RATE = args.concurrency * 100;
/** Events per append burst: a tool call emits one, a call's bookkeeping one or two more. */
const CHANNELS = 4;
const wallMs = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Kind = 'redis' | 'notify';

interface Round {
  kind: Kind;
  events: number;
  missing: number;
  outOfOrder: number;
  fromCommit: { p50Ms: number; p99Ms: number };
  fromAppend: { p50Ms: number; p99Ms: number };
  writerCpuUs: number;
  receiverCpuUs: number;
  storeCpuUs: number;
  resyncs: number;
}

const db = await withTestDatabase();
const name = `leanctx-bench-fan-${randomBytes(4).toString('hex')}`;
const redisPort = Number(new URL(REDIS_URL).port || 6379);
console.log(
  `fan-out bench: ${args.rounds} round(s) × ${args.durationSec} s per mechanism, ${RATE} events/s over ${CHANNELS} channels; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ')}`,
);
const pool = createPgDatabase({ url: db.url, maxConnections: 4 });
const rounds: Round[] = [];
try {
  await runMigrations(pool, MIGRATIONS);
  for (let round = 1; round <= args.rounds; round++) {
    const order: Kind[] = round % 2 === 1 ? ['redis', 'notify'] : ['notify', 'redis'];
    for (const kind of order) {
      const r = await runRound(kind, round);
      rounds.push(r);
      console.log(
        `  round ${round} ${kind}: ${r.events} events, commit→arrival p50 ${formatMs(r.fromCommit.p50Ms)} / p99 ${formatMs(r.fromCommit.p99Ms)} ms, CPU µs/event writer ${formatCpuUs(r.writerCpuUs)} receiver ${formatCpuUs(r.receiverCpuUs)} PG+Redis ${formatCpuUs(r.storeCpuUs)}`,
      );
    }
  }
} finally {
  await pool.close();
  await db.drop();
}

const of = (k: Kind) => rounds.filter((r) => r.kind === k);
const med = (k: Kind, f: (r: Round) => number) => median(of(k).map(f));
const rows = (['redis', 'notify'] as const).map((k) => [
  k === 'redis' ? 'Redis pub/sub (after commit, one message per tick)' : 'PostgreSQL NOTIFY (in the commit)',
  String(of(k).reduce((n, r) => n + r.events, 0)),
  String(of(k).reduce((n, r) => n + r.missing + r.outOfOrder, 0)),
  formatMs(med(k, (r) => r.fromCommit.p50Ms)),
  formatMs(med(k, (r) => r.fromCommit.p99Ms)),
  formatMs(med(k, (r) => r.fromAppend.p50Ms)),
  formatMs(med(k, (r) => r.fromAppend.p99Ms)),
  formatCpuUs(med(k, (r) => r.writerCpuUs)),
  formatCpuUs(med(k, (r) => r.receiverCpuUs)),
  formatCpuUs(med(k, (r) => r.storeCpuUs)),
]);
console.log('');
console.log(
  markdownTable(
    [
      { title: 'fan-out' },
      { title: 'events', right: true },
      { title: 'missing or out of order', right: true },
      { title: 'commit→arrival p50 ms', right: true },
      { title: 'p99 ms', right: true },
      { title: 'append→arrival p50 ms', right: true },
      { title: 'p99 ms', right: true },
      { title: 'writer CPU µs/event', right: true },
      { title: 'receiver CPU µs/event', right: true },
      { title: 'PG + Redis CPU µs/event', right: true },
    ],
    rows,
  ),
);
const endLoad = loadavg()
  .map((l) => l.toFixed(2))
  .join(' / ');
console.log(
  `medians of the rounds' p50/p99; PG + Redis is the bench database's backends plus redis-server (shared with other users of this Redis); load average at the end ${endLoad}`,
);
console.log(`results: ${writeResults('fan-out', { machine: machineInfo(), rate: RATE, rounds, endLoad })}`);

async function runRound(kind: Kind, round: number): Promise<Round> {
  const receiver = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./lib/fan-out-receiver.ts', import.meta.url)),
      kind,
      db.url,
      REDIS_URL,
      `${name}-${kind}`,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  try {
    return await measure(kind, round, receiver);
  } finally {
    if (receiver.exitCode === null) receiver.kill();
  }
}

async function measure(kind: Kind, round: number, receiver: ReturnType<typeof spawn>): Promise<Round> {
  if (!receiver.stdout || !receiver.stdin) throw new Error('the receiver has no pipes');
  const stdin = receiver.stdin;
  const lines = createInterface({ input: receiver.stdout });
  const nextLine = () => new Promise<string>((resolve) => lines.once('line', resolve));
  if ((await nextLine()) !== 'ready') throw new Error(`the ${kind} receiver did not start`);
  const link =
    kind === 'redis'
      ? createRedisLink({ url: REDIS_URL, keyPrefix: `${name}-${kind}`, readStateTtlSec: 60 }, silentLogger)
      : undefined;
  const fanOut: EventFanOut | undefined = link && createRedisFanOut(link, 'writer', silentLogger);
  const store = createPgEventStore(
    pool,
    kind === 'notify' ? { channel: `${name}-${kind}`, originId: 'writer' } : undefined,
  );
  const hub = createEventHub(
    store,
    () => {},
    () => {},
    fanOut,
  );
  // the link connects in the background: wait until it answers
  for (let i = 0; link && !link.isReady(); i++) {
    if (i > 200) throw new Error(`Redis at ${REDIS_URL} did not connect`);
    await sleep(25);
  }
  stdin.write('start\n');
  await nextLine();
  const storePids = storeProcessIds(db.name, redisPort);
  const storeBefore = cpuByPid(storePids);
  const cpuBefore = process.cpuUsage();
  const sent = new Map<string, { appendAt: number; commitAt: number }>();
  const total = Math.round(RATE * args.durationSec);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    await sleep(Math.max(0, started + (n * 1000) / RATE - performance.now()));
    const appendAt = wallMs();
    const channelId = `r${round}-${n % CHANNELS}`;
    pending.push(
      hub
        .publish({ workspaceId: 'bench', channelId, kind: 'session_mutated', actor: 'bench', payload: { n } })
        .then((e) => {
          sent.set(`${e.channelId}\u0000${e.revision}`, { appendAt, commitAt: wallMs() });
        }),
    );
  }
  await Promise.all(pending);
  await sleep(1000); // the last messages in flight
  const cpu = process.cpuUsage(cpuBefore);
  const storeCpu = cpuSpentMs(storeBefore, cpuByPid(storeProcessIds(db.name, redisPort)));
  stdin.write('stop\n');
  const report = JSON.parse(await nextLine()) as {
    arrivals: [string, number, number][];
    resyncs: number;
    cpuMs: number;
  };
  await new Promise((r) => receiver.once('exit', r));
  await hub.drain();
  await link?.close();

  const fromCommit = new LatencyRecorder();
  const fromAppend = new LatencyRecorder();
  const lastByChannel = new Map<string, number>();
  let outOfOrder = 0;
  const seen = new Set<string>();
  for (const [ch, rev, at] of report.arrivals) {
    if ((lastByChannel.get(ch) ?? rev - 1) !== rev - 1) outOfOrder++;
    lastByChannel.set(ch, rev);
    const key = `${ch}\u0000${rev}`;
    seen.add(key);
    const s = sent.get(key);
    if (!s) continue;
    // NOTIFY can arrive before the writer hears its COMMIT answered: that is 0, not negative
    fromCommit.record(Math.max(0, at - s.commitAt));
    fromAppend.record(at - s.appendAt);
  }
  const missing = [...sent.keys()].filter((k) => !seen.has(k)).length;
  return {
    kind,
    events: total,
    missing,
    outOfOrder,
    fromCommit: fromCommit.summary(),
    fromAppend: fromAppend.summary(),
    writerCpuUs: (cpu.user + cpu.system) / total,
    receiverCpuUs: (report.cpuMs * 1000) / total,
    storeCpuUs: (storeCpu * 1000) / total,
    resyncs: report.resyncs,
  };
}
