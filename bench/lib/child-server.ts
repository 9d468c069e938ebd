import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

export interface ChildServer<T> {
  readonly name: string;
  readonly pid: number;
  /** What the ready line said (a port, a token ...). */
  readonly info: T;
  close(): Promise<void>;
}

export interface ChildServerOptions<T> {
  name: string;
  /** argv after the node binary: node flags, script, script args. */
  args: readonly string[];
  env?: Record<string, string>;
  /** The stream that announces readiness; the other one is ignored (stdout) or kept for errors. */
  readyOn: 'stdout' | 'stderr';
  /** Returns the ready info once a line says the server listens. */
  parseReady(line: string): T | undefined;
  timeoutMs?: number;
}

const STDERR_TAIL_LINES = 20;

/**
 * Starts a server in its own node process, so that the load generator and the server do not
 * share an event loop, and resolves once it announces that it listens.
 */
export async function startChildServer<T>(opts: ChildServerOptions<T>): Promise<ChildServer<T>> {
  const child = spawn(process.execPath, [...opts.args], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', opts.readyOn === 'stdout' ? 'pipe' : 'ignore', 'pipe'],
  });
  // If the bench dies (a test runner's timeout, Ctrl-C), its servers must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const stderrTail: string[] = [];
  const keepTail = (line: string) => {
    stderrTail.push(line);
    if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
  };
  const stderr = createInterface({ input: child.stderr! });
  const readyStream = opts.readyOn === 'stdout' ? createInterface({ input: child.stdout! }) : stderr;
  if (readyStream !== stderr) stderr.on('line', keepTail);

  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`${opts.name} did not start within ${opts.timeoutMs ?? 30_000} ms`)),
      opts.timeoutMs ?? 30_000,
    );
    const onLine = (line: string) => {
      if (readyStream === stderr) keepTail(line);
      const parsed = opts.parseReady(line);
      if (parsed === undefined) return;
      cleanup();
      resolve(parsed);
    };
    const onExit = (code: number | null) =>
      fail(new Error(`${opts.name} exited with ${code} before it listened:\n${stderrTail.join('\n')}`));
    const fail = (err: Error) => {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    };
    const cleanup = () => {
      clearTimeout(timer);
      readyStream.off('line', onLine);
      child.off('exit', onExit);
    };
    readyStream.on('line', onLine);
    child.once('exit', onExit);
  });
  // Keep draining what is still piped, so a chatty child never blocks on a full pipe.
  readyStream.on('line', readyStream === stderr ? keepTail : () => {});

  return {
    name: opts.name,
    pid: child.pid!,
    info,
    close: () => stopChild(child),
  };
}

/** SIGINT (servers exit cleanly and flush --cpu-prof on it), SIGKILL after 5 s. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** A port that was free a moment ago, for servers that cannot listen on port 0 and say which. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/** Parses the `{"ready":true,...}` line our bench/servers scripts print. */
export function parseReadyJson<T>(line: string): T | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { ready?: boolean } & T;
    return parsed.ready === true ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Turns SIGINT/SIGTERM into a normal exit, so the 'exit' hooks above stop the servers. */
export function exitOnSignal(): void {
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
}
