import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * A PostgreSQL cluster of this test's own (initdb in a temp dir, its own port), to stop,
 * kill, freeze and restart without disturbing the machine's shared server.
 */
export interface ThrowawayCluster {
  port: number;
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (trust auth ignores the password). */
  url(password?: string): string;
  /** Immediate shutdown (SIGQUIT): every connection drops at once. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections hang, nothing answers. */
  freeze(): void;
  thaw(): void;
  destroy(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `no PostgreSQL server binaries under ${root}/<version>/bin (initdb, postgres); install postgresql to run the outage tests`,
    );
  }
  return join(root, versions[0] as string, 'bin');
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** initdb refuses root: as root, run the server's programs as the `postgres` user. */
const asPostgres = (cmd: string, args: string[]): [string, string[]] =>
  process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      await c.end();
      return;
    } catch (err) {
      await c.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`the throwaway PostgreSQL did not come up: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startThrowawayCluster(): Promise<ThrowawayCluster> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const sockets = join(dir, 'sock');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const [initCmd, initArgs] = asPostgres(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '-A',
    'trust',
    '--no-sync',
    '-E',
    'UTF8',
  ]);
  execFileSync(initCmd, initArgs, { stdio: 'pipe' });
  execFileSync(...asPostgres('mkdir', ['-p', sockets]));
  const port = await freePort();
  const url = (password = 'x') => `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const postmasterPid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  /** The postmaster and its children (backends, checkpointer …). */
  const allPids = () => {
    const pid = postmasterPid();
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)])
      .toString()
      .split('\n')
      .map((s) => Number(s.trim()))
      .filter((n) => n > 0);
    return [pid, ...children];
  };

  let exited: Promise<void> | undefined;
  /** runuser, when the server runs under it: it stops itself when its child is stopped. */
  let launcher: number | undefined;
  const start = async () => {
    const [cmd, args] = asPostgres(join(bin, 'postgres'), [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      sockets,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
    ]);
    const child = spawn(cmd, args, { stdio: 'ignore' });
    launcher = cmd === 'runuser' ? child.pid : undefined;
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitReady(url(), 30_000);
  };
  const stop = async () => {
    if (!existsSync(join(data, 'postmaster.pid'))) return;
    process.kill(postmasterPid(), 'SIGQUIT');
    await exited;
    // the pid file goes once every backend is gone
    for (let i = 0; i < 100 && existsSync(join(data, 'postmaster.pid')); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  // a test run that dies (timeout, crash) leaves no server running behind it
  const onExit = () => {
    try {
      for (const pid of [...allPids(), ...(launcher ? [launcher] : [])]) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  await start();
  return {
    port,
    url,
    start,
    stop,
    freeze: () => {
      for (const pid of allPids()) process.kill(pid, 'SIGSTOP');
    },
    thaw: () => {
      for (const pid of [...allPids(), ...(launcher ? [launcher] : [])]) process.kill(pid, 'SIGCONT');
    },
    async destroy() {
      try {
        for (const pid of [...allPids(), ...(launcher ? [launcher] : [])]) process.kill(pid, 'SIGCONT');
      } catch {
        // not running
      }
      await stop();
      process.off('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
