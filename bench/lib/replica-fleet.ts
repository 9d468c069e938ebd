import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { type TestDatabase, withTestDatabase } from '../../test/helpers/postgres.ts';
import { findFreePort, parseReadyJson, startChildServer } from './child-server.ts';
import { type ServeProcess, startServeProcess } from './serve-process.ts';

/** Errors a replica may log under load that the bench reports (an event dropped, a call not recorded). */
export const LOG_LINES_COUNTED = [
  'event of an acknowledged write not stored',
  'event append failed',
  'recording a tool call failed',
] as const;

/** High enough that the limiter never answers 429; it still runs (in Redis, for replicas) on every call. */
const BENCH_RATE_LIMIT = 1_000_000;

export interface Balancer {
  readonly url: string;
  readonly pid: number;
  close(): Promise<void>;
}

/**
 * The servers of the replicas bench: one SQLite `team serve`, and three replicas sharing one
 * fresh PostgreSQL database, one Redis key prefix and one team.json. All stay up (and warm) for
 * the whole run; while "one replica" is measured, r2 and r3 are paused (SIGSTOP), so no sibling
 * spends the shared cores on r1's events. Redis holds their pub/sub messages meanwhile.
 * Optionally two more SQLite processes (`isolated`), each with its own data dir and nothing
 * shared: three of those behind the proxy cost what splitting the cores three ways costs,
 * without any coordination — the control for "three replicas".
 */
export interface ReplicaFleet {
  readonly token: string;
  readonly database: string;
  readonly keyPrefix: string;
  readonly sqlite: ServeProcess;
  /** s2, s3: independent SQLite processes (own data dirs, nothing shared); empty unless asked for. */
  readonly isolated: readonly ServeProcess[];
  /** The first `count` of sqlite, s2, s3 run, the others are paused. */
  activateSqlite(count: number): void;
  /** r1, r2, r3. */
  readonly replicas: readonly ServeProcess[];
  /** Every server process, paused or not. */
  all(): ServeProcess[];
  /** The first `count` replicas run, the others are paused. */
  activate(count: number): void;
  /** A round-robin proxy process in front of `urls`. */
  proxy(urls: readonly string[]): Promise<Balancer>;
  /** Stops everything, drops the database, deletes the Redis keys and the temp dir. */
  close(): Promise<void>;
}

export async function startReplicaFleet(opts: {
  replicas: number;
  redisUrl: string;
  /** Node flags per server (CPU profiles), by label: "sqlite", "r1" … */
  nodeArgs?: (label: string) => string[];
  /** The file each read serves (copied into the workspace). */
  sampleFile: string;
  /** Independent SQLite processes beside the first (0 by default). */
  isolatedSqlite?: number;
}): Promise<ReplicaFleet> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-bench-replicas-'));
  const root = join(dir, 'workspace');
  mkdirSync(root);
  copyFileSync(opts.sampleFile, join(root, 'package.json'));
  const token = createTokenSecret('bench');
  const keyPrefix = `leanctx-bench-${randomBytes(4).toString('hex')}:`;
  const common = {
    host: '127.0.0.1',
    port: 0,
    maxRps: BENCH_RATE_LIMIT,
    rateBurst: BENCH_RATE_LIMIT,
    maxConcurrency: 256,
    maxEventStreamsPerToken: 256,
    maxMcpSessionsPerToken: 256,
    workspaces: [{ id: 'main', root }],
    tokens: [{ id: 'bench', sha256Hex: sha256Hex(token), scopes: [], role: 'admin' }],
  };
  let db: TestDatabase | undefined;
  const proxies: Balancer[] = [];
  const running: ServeProcess[] = [];
  let sqlite: ServeProcess | undefined;
  const isolated: ServeProcess[] = [];
  const close = async () => {
    await Promise.allSettled(proxies.map((p) => p.close()));
    await Promise.allSettled([sqlite, ...isolated, ...running].map((s) => s?.stop()));
    await db?.drop();
    await deleteKeys(opts.redisUrl, keyPrefix).catch((err: unknown) =>
      console.error(`deleting Redis keys ${keyPrefix}* failed: ${String(err)}`),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    db = await withTestDatabase();
    const sqliteConfig = join(dir, 'sqlite.json');
    writeFileSync(
      sqliteConfig,
      JSON.stringify({ ...common, dataDir: 'data-sqlite', auditLogPath: 'audit-sqlite.jsonl' }, null, 2),
    );
    const replicaConfig = join(dir, 'team.json');
    writeFileSync(
      replicaConfig,
      JSON.stringify(
        {
          ...common,
          dataDir: 'data-replicas',
          auditLogPath: 'audit.jsonl',
          store: { kind: 'postgres', url: db.url },
          redis: { url: opts.redisUrl, keyPrefix },
          sessionSecret: randomBytes(32).toString('hex'),
        },
        null,
        2,
      ),
    );
    sqlite = await startServeProcess({
      label: 'SQLite team serve',
      configPath: sqliteConfig,
      port: await findFreePort(),
      cwd: dir,
      nodeArgs: opts.nodeArgs?.('sqlite'),
    });
    for (let i = 0; i < (opts.isolatedSqlite ?? 0); i++) {
      const label = `s${i + 2}`;
      const config = join(dir, `sqlite-${label}.json`);
      writeFileSync(
        config,
        JSON.stringify(
          { ...common, dataDir: `data-${label}`, auditLogPath: `audit-${label}.jsonl` },
          null,
          2,
        ),
      );
      const server = await startServeProcess({
        label: `SQLite team serve ${label}`,
        configPath: config,
        port: await findFreePort(),
        cwd: dir,
        nodeArgs: opts.nodeArgs?.(label),
      });
      isolated.push(server);
      server.pause();
    }
    const startReplica = async (i: number) =>
      startServeProcess({
        label: `replica r${i + 1}`,
        configPath: replicaConfig,
        port: await findFreePort(),
        replicaId: `r${i + 1}`,
        cwd: dir,
        countLogLines: LOG_LINES_COUNTED,
        nodeArgs: opts.nodeArgs?.(`r${i + 1}`),
      });
    // r1 first and alone: it migrates the fresh database
    running.push(await startReplica(0));
    const siblings = Array.from({ length: opts.replicas - 1 }, (_, k) => startReplica(k + 1));
    running.push(...(await Promise.all(siblings)));
    const sqliteProcess = sqlite;
    const database = db.name;
    return {
      token,
      database,
      keyPrefix,
      sqlite: sqliteProcess,
      isolated: [...isolated],
      all: () => [sqliteProcess, ...isolated, ...running],
      activateSqlite(count) {
        isolated.forEach((s, i) => {
          if (i + 1 < count) s.resume();
          else s.pause();
        });
      },
      replicas: [...running],
      activate(count) {
        running.forEach((r, i) => {
          if (i < count) r.resume();
          else r.pause();
        });
      },
      async proxy(urls) {
        const child = await startChildServer<{ port: number }>({
          name: `round-robin proxy over ${urls.length}`,
          args: [
            '--import',
            'tsx',
            new URL('../servers/round-robin-proxy.ts', import.meta.url).pathname,
            '--targets',
            urls.join(','),
          ],
          readyOn: 'stdout',
          parseReady: parseReadyJson,
        });
        const proxy = { url: `http://127.0.0.1:${child.info.port}`, pid: child.pid, close: child.close };
        proxies.push(proxy);
        return proxy;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
}
