// Bench `replicas` (issue 13): cached ctx_read through one SQLite process, one replica on
// Redis, and three replicas behind a round-robin proxy (autocannon, same 2 cores); then the
// delay from a write's answer on replica B to its SSE frame on replica A (and on B itself).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { createClient } from 'redis';
import { createTokenSecret, sha256Hex } from '../src/auth/tokens.ts';
import { startRoundRobinProxy } from '../test/helpers/round-robin-proxy.ts';
import { parseBenchArgs } from './lib/bench-args.ts';
import { processCpuMs } from './lib/process-cpu.ts';
import { LatencyRecorder } from './lib/stats.ts';

const USAGE = `usage: node --import tsx bench/replicas.ts [--smoke] [--duration S] [--concurrency C]
  --duration S      seconds per target (default 5; smoke 1)
  --concurrency C   autocannon connections (default 32; smoke 4)`;
const args = parseBenchArgs(
  process.argv.slice(2),
  { durationSec: 5, rounds: 1, concurrency: 32, smoke: { durationSec: 1, rounds: 1, concurrency: 4 } },
  USAGE,
);
const BIN = fileURLToPath(new URL('../bin/lean-ctx.js', import.meta.url));
const REDIS_URL = process.env.LEANCTX_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

interface Served {
  urls: string[];
  pids: number[];
  token: string;
  close(): Promise<void>;
}

async function serve(count: number, redis: boolean): Promise<Served> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-bench-replicas-'));
  mkdirSync(join(dir, 'data'));
  const root = fileURLToPath(new URL('..', import.meta.url));
  const token = createTokenSecret('bench');
  const keyPrefix = `leanctx-bench-${randomBytes(4).toString('hex')}:`;
  writeFileSync(
    join(dir, 'team.json'),
    JSON.stringify({
      dataDir: 'data',
      auditLogPath: 'audit.jsonl',
      maxRps: 1_000_000,
      rateBurst: 1_000_000,
      maxConcurrency: 256,
      workspaces: [{ id: 'main', root }],
      tokens: [{ id: 'bench', sha256Hex: sha256Hex(token), scopes: [], role: 'admin' }],
      ...(redis
        ? { redis: { url: REDIS_URL, keyPrefix }, sessionSecret: randomBytes(32).toString('hex') }
        : {}),
    }),
  );
  const children: ChildProcess[] = [];
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'team',
        'serve',
        '--config',
        join(dir, 'team.json'),
        '--bind',
        '127.0.0.1:0',
        '--replica-id',
        `r${i + 1}`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    children.push(child);
    const port = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /Team Server - [^\n]*:(\d+)/.exec(out);
        if (m?.[1]) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`replica exited ${code}`)));
    });
    urls.push(`http://127.0.0.1:${port}`);
  }
  return {
    urls,
    pids: children.map((c) => c.pid as number),
    token,
    async close() {
      await Promise.all(
        children.map(
          (c) =>
            new Promise((resolve) => {
              c.once('exit', resolve);
              c.kill('SIGTERM');
            }),
        ),
      );
      if (redis) {
        const client = createClient({ url: REDIS_URL });
        await client.connect();
        for await (const keys of client.scanIterator({ MATCH: `${keyPrefix}*` }))
          if (keys.length) await client.del(keys);
        await client.close();
      }
    },
  };
}

const cpuOf = (pids: number[]) => pids.reduce((sum, pid) => sum + (processCpuMs(pid) ?? Number.NaN), 0);

async function cachedReads(label: string, url: string, served: Served) {
  const body = JSON.stringify({
    name: 'ctx_read',
    arguments: { path: 'package.json', mode: 'full' },
    contextId: 'bench',
  });
  const headers = { authorization: `Bearer ${served.token}`, 'content-type': 'application/json' };
  // the first read sends the file; every one after is the cached stub
  for (const u of served.urls)
    await (await fetch(`${u}/v1/tools/call`, { method: 'POST', headers, body })).text();
  // a warm-up as long as the measurement: JIT, worker pools, connections
  await autocannon({
    url: `${url}/v1/tools/call`,
    method: 'POST',
    headers,
    body,
    connections: args.concurrency,
    duration: args.durationSec,
  });
  const latencies = new LatencyRecorder();
  const before = cpuOf(served.pids);
  const instance = autocannon({
    url: `${url}/v1/tools/call`,
    method: 'POST',
    headers,
    body,
    connections: args.concurrency,
    duration: args.durationSec,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status === 200) latencies.record(ms);
  });
  const result = await instance;
  const cpuUs = ((cpuOf(served.pids) - before) * 1000) / result.requests.total;
  const { p99Ms } = latencies.summary();
  const non2xx = result.non2xx;
  console.log(
    `| ${label} | ${(result.requests.total / args.durationSec).toFixed(0)} | ${p99Ms.toFixed(1)} | ${cpuUs.toFixed(0)} | ${non2xx} |`,
  );
  return result.requests.total / args.durationSec;
}

async function eventDelay(
  from: string,
  to: string,
  token: string,
  n: number,
): Promise<{ p50Ms: number; p99Ms: number }> {
  const channel = `bench-${randomBytes(3).toString('hex')}`;
  const headers = { authorization: `Bearer ${token}` };
  const res = await fetch(`${to}/v1/events?channelId=${channel}`, { headers });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const waiting: (() => void)[] = [];
  let buf = '';
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
        const frame = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        if (frame.includes('event: tool_call_recorded')) waiting.shift()?.();
      }
    }
  })();
  const rec = new LatencyRecorder();
  const body = JSON.stringify({ name: 'ctx_tree', arguments: { depth: 1 }, channelId: channel });
  for (let i = 0; i < n; i++) {
    const arrived = new Promise<void>((resolve) => waiting.push(resolve));
    await (
      await fetch(`${from}/v1/tools/call`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body,
      })
    ).text();
    const answered = performance.now();
    await arrived;
    rec.record(performance.now() - answered);
  }
  await reader.cancel();
  return rec.summary();
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');
console.log(`load average at start: ${load()}; ${args.durationSec} s per target, c=${args.concurrency}\n`);
console.log('| target | req/s | p99 ms | server CPU µs/call | non-2xx |\n|---|---|---|---|---|');
const single = await serve(1, false);
const base = await cachedReads('one process, SQLite', single.urls[0] as string, single);
await single.close();
const one = await serve(1, true);
const oneRps = await cachedReads('one replica, SQLite + Redis', one.urls[0] as string, one);
// the proxy runs in this process beside autocannon: its own ceiling, measured on one replica
const oneProxy = await startRoundRobinProxy(one.urls);
await cachedReads('one replica behind the proxy', oneProxy.url, one);
await oneProxy.close();
await one.close();
const three = await serve(3, true);
const proxy = await startRoundRobinProxy(three.urls);
const threeRps = await cachedReads('three replicas behind the proxy', proxy.url, three);
const n = args.smoke ? 20 : 200;
const [a, b] = three.urls as [string, string];
const local = await eventDelay(b, b, three.token, n);
const cross = await eventDelay(b, a, three.token, n);
await proxy.close();
await three.close();
console.log(
  `\nthree replicas / one replica req/s: ${(threeRps / oneRps).toFixed(2)} (one process without Redis: ${base.toFixed(0)} req/s)`,
);
console.log(
  `event delivery after the write's answer (${n} writes): same replica p50 ${local.p50Ms.toFixed(1)} ms p99 ${local.p99Ms.toFixed(1)} ms; across replicas p50 ${cross.p50Ms.toFixed(1)} ms p99 ${cross.p99Ms.toFixed(1)} ms`,
);
console.log(`load average at end: ${load()}`);
