// Start-up cost of the bins an agent spawns, next to the floor (`node -e`) and a typical SDK
// server (server-everything over stdio), all in the same run, interleaved. Each MCP target is
// timed from spawn until its `initialize` answer, then until the first `tools/list` answer
// (work deferred past the handshake shows there), then left idle (10 s: V8 gives memory back
// only after some seconds of quiet) while the next targets run. RSS is VmRSS at the
// `initialize` answer and at the end of the idle time; peak is VmHWM then. CPU is user + system
// time of the process (all its threads) until the answer: the figure a busy machine bends least.
// For commands that exit, peak RSS and CPU come from GNU time in a separate, untimed run. NODE_EXTRA_CA_CERTS makes every Node child parse a CA bundle
// at start (it is set on the build machine), so with it set every row also runs without it.
import { type ChildProcessByStdio, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { processCpuMs } from './lib/process-cpu.ts';
import { machineInfo, profileFlags, writeResults } from './lib/results.ts';
import { median } from './lib/stats.ts';
import { formatMs, formatRatio, markdownTable } from './lib/table.ts';

const USAGE = 'usage: npm run bench -- startup [--smoke] [--rounds N] [--idle S] [--profile]';
const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    idle: { type: 'string' },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}
const rounds = flags.rounds ? Number(flags.rounds) : flags.smoke ? 1 : 7;
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds needs a whole number ≥ 1\n${USAGE}`);
const IDLE_MS = (flags.idle ? Number(flags.idle) : flags.smoke ? 1 : 10) * 1000;
if (!(IDLE_MS >= 0)) throw new Error(`--idle needs seconds ≥ 0\n${USAGE}`);

const root = join(import.meta.dirname, '..');
const LEAN_CTX = join(root, 'bin/lean-ctx.js');
const LAZY_MCP = join(root, 'bin/lazy-mcp.js');
const EVERYTHING = join(root, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js');
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const scratch = mkdtempSync(join(tmpdir(), 'bench-startup-'));
const serversJson = join(scratch, 'servers.json');
writeFileSync(
  serversJson,
  JSON.stringify({
    servers: [
      {
        name: 'everything',
        description: 'reference server',
        command: [process.execPath, EVERYTHING, 'stdio'],
      },
    ],
  }),
);
// Answers each request line with an empty result: the least a stdio server can do.
const ECHO = `let b='';process.stdin.on('data',c=>{b+=c;let i;while((i=b.indexOf('\\n'))>=0){const m=JSON.parse(b.slice(0,i));b=b.slice(i+1);if('id' in m)process.stdout.write(JSON.stringify({jsonrpc:'2.0',id:m.id,result:{}})+'\\n')}})`;

type Stdio = ChildProcessByStdio<Writable, Readable, null>;
type Until = 'exit' | 'initialize';
interface Target {
  key: string;
  label: string;
  args: string[];
  until: Until;
  /** Ours: profiled with --profile. */
  ours: boolean;
}
const targets: Target[] = [
  { key: 'floor-exit', label: '`node -e 0`, the floor', args: ['-e', '0'], until: 'exit', ours: false },
  {
    key: 'floor-echo',
    label: '`node -e` stdio echo, the floor',
    args: ['-e', ECHO],
    until: 'initialize',
    ours: false,
  },
  {
    key: 'everything',
    label: 'server-everything over stdio',
    args: [EVERYTHING, 'stdio'],
    until: 'initialize',
    ours: false,
  },
  { key: 'version', label: '`lean-ctx --version`', args: [LEAN_CTX, '--version'], until: 'exit', ours: true },
  {
    key: 'lean-ctx-mcp',
    label: '`lean-ctx mcp` (local mode)',
    args: [LEAN_CTX, 'mcp'],
    until: 'initialize',
    ours: true,
  },
  {
    key: 'lazy-mcp',
    label: '`lazy-mcp`, one server configured',
    args: [LAZY_MCP, '--config', serversJson],
    until: 'initialize',
    ours: true,
  },
];

type Env = Record<string, string>;
const { NODE_EXTRA_CA_CERTS: bundle, ...withoutBundle } = process.env as Env;
const envs: Array<{ label: string; env: Env }> = [{ label: 'this env', env: process.env as Env }];
if (bundle) envs.push({ label: 'no NODE_EXTRA_CA_CERTS', env: withoutBundle });

interface Sample {
  ms: number;
  cpuMs?: number;
  /** Until the first tools/list answer (MCP targets). */
  listMs?: number;
  rssInitMb?: number;
  rssIdleMb?: number;
  peakMb?: number;
}

function statusMb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
      readFileSync(`/proc/${pid}/status`, 'utf8'),
    )?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** Peak RSS and CPU of a command that exits, from GNU time in a separate, untimed run. */
function measureExit(args: string[], env: Env): Pick<Sample, 'cpuMs' | 'peakMb'> {
  if (!GNU_TIME) return {};
  const r = spawnSync(GNU_TIME, ['-f', '%M %U %S', process.execPath, ...args], { env, encoding: 'utf8' });
  const m = /(\d+) ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  if (!m) return {};
  return { peakMb: Number(m[1]) / 1024, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
}

function nextAnswer(child: Stdio, id: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 1);
        if ((JSON.parse(line) as { id?: number }).id === id) {
          child.stdout.off('data', onData);
          child.off('exit', onExit);
          resolve();
          return;
        }
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`exited (${code}) before answering request ${id}`));
    child.stdout.on('data', onData);
    child.once('exit', onExit);
  });
}

const send = (child: Stdio, message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);

/** Idle readings still to come: taken while the next targets run. */
const idling: Promise<void>[] = [];

async function measure(target: Target, env: Env, dataDir: string): Promise<Sample> {
  const args = [
    ...(flags.profile && target.ours ? profileFlags(true, `startup-${target.key}`) : []),
    ...target.args,
  ];
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...env, XDG_DATA_HOME: dataDir },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (target.until === 'exit') {
    await exited;
    return { ms: performance.now() - t0, ...measureExit(args, { ...env, XDG_DATA_HOME: dataDir }) };
  }
  const pid = child.pid!;
  const answered = nextAnswer(child, 1);
  send(child, {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
  });
  await answered;
  const ms = performance.now() - t0;
  const cpuMs = processCpuMs(pid);
  const rssInitMb = statusMb(pid, 'VmRSS');
  const listed = nextAnswer(child, 2);
  send(child, { jsonrpc: '2.0', method: 'notifications/initialized' });
  send(child, { jsonrpc: '2.0', id: 2, method: 'tools/list' });
  await listed;
  const listMs = performance.now() - t0;
  const sample: Sample = { ms, cpuMs, listMs, rssInitMb };
  idling.push(
    (async () => {
      await new Promise((r) => setTimeout(r, IDLE_MS));
      sample.rssIdleMb = statusMb(pid, 'VmRSS');
      sample.peakMb = statusMb(pid, 'VmHWM');
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      await exited;
      clearTimeout(killer);
    })(),
  );
  return sample;
}

const samples = new Map<string, Sample[]>();
for (let round = 1; round <= rounds; round++) {
  for (const { label, env } of envs) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      const key = `${label}/${target.key}`;
      const dataDir = mkdtempSync(join(scratch, 'data-'));
      samples.set(key, [...(samples.get(key) ?? []), await measure(target, env, dataDir)]);
    }
  }
}
await Promise.all(idling);

const med = (xs: (number | undefined)[]) => {
  const known = xs.filter((x): x is number => x !== undefined);
  return known.length === xs.length ? median(known) : undefined;
};
const mb = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(0));
const msOrDash = (x: number | undefined) => (x === undefined ? '—' : formatMs(x));

/** A target's samples reduced to medians. */
type Summary = Sample;
const summaries: Record<string, Summary> = {};
const rows: string[][] = [];
for (const { label } of envs) {
  const of = (key: string): Summary => {
    const s = samples.get(`${label}/${key}`)!;
    return {
      ms: median(s.map((x) => x.ms)),
      cpuMs: med(s.map((x) => x.cpuMs)),
      listMs: med(s.map((x) => x.listMs)),
      rssInitMb: med(s.map((x) => x.rssInitMb)),
      rssIdleMb: med(s.map((x) => x.rssIdleMb)),
      peakMb: med(s.map((x) => x.peakMb)),
    };
  };
  const floorExit = of('floor-exit').ms;
  const floorEcho = of('floor-echo').ms;
  const everything = of('everything').ms;
  const goal = (key: string, s: Summary): string => {
    const yes = (ok: boolean, text: string) => `${text}: ${ok ? 'met' : '**missed**'}`;
    const handshake = [yes(s.ms <= 300, '≤ 300 ms'), yes(s.ms < everything, '< everything')];
    if (key === 'version') return yes(s.ms <= 1.5 * floorExit, '≤ 1.5× floor');
    if (key === 'lean-ctx-mcp') return handshake.join('; ');
    if (key === 'lazy-mcp') {
      return [...handshake, yes((s.rssIdleMb ?? Number.POSITIVE_INFINITY) <= 70, 'idle RSS ≤ 70 MB')].join(
        '; ',
      );
    }
    return '—';
  };
  for (const target of targets) {
    const s = of(target.key);
    summaries[`${label}/${target.key}`] = s;
    const floor = target.until === 'exit' ? floorExit : floorEcho;
    rows.push([
      `${target.label} (${label})`,
      target.until === 'exit' ? 'exit' : '`initialize` answer',
      formatMs(s.ms),
      formatRatio(s.ms / floor),
      msOrDash(s.cpuMs),
      msOrDash(s.listMs),
      mb(s.rssInitMb),
      mb(s.rssIdleMb),
      mb(s.peakMb),
      goal(target.key, s),
    ]);
  }
}

console.log(
  markdownTable(
    [
      { title: 'command' },
      { title: 'until' },
      { title: 'median ms', right: true },
      { title: '× floor', right: true },
      { title: 'CPU ms', right: true },
      { title: 'first `tools/list` ms', right: true },
      { title: 'RSS at initialize MB', right: true },
      { title: `idle RSS MB (${IDLE_MS / 1000} s)`, right: true },
      { title: 'peak RSS MB', right: true },
      { title: 'goal' },
    ],
    rows,
  ),
);
console.log(`\nmedian of ${rounds} interleaved rounds; ${JSON.stringify(machineInfo())}`);
const out = writeResults(flags.smoke ? 'startup-smoke' : 'startup', {
  machine: machineInfo(),
  rounds,
  idleMs: IDLE_MS,
  samples: Object.fromEntries(samples),
  summaries,
  rows,
});
console.log(`wrote ${out}`);
