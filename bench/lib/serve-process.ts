import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/lean-ctx.js', import.meta.url));
const READY = /Team Server - [^\n]*:(\d+)/;
const STDERR_TAIL_CHARS = 4000;

/** One `lean-ctx team serve` process, exactly as an operator starts it (dist/, via the bin). */
export interface ServeProcess {
  readonly label: string;
  readonly pid: number;
  readonly url: string;
  /** How many of its log lines (stderr) contained each of `countLogLines`, so far. */
  logLineCounts(): Record<string, number>;
  /** The first such line of each, as logged (what the failure was). */
  firstLogLines(): Record<string, string>;
  /** SIGSTOP: the process keeps its sockets but runs nothing until resume(). */
  pause(): void;
  resume(): void;
  /** SIGTERM (a clean stop: audit and store flushed), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Starts `lean-ctx team serve --config FILE --bind 127.0.0.1:PORT [--replica-id ID]` and
 * resolves once its banner names the port. The scale-out variables of the bench's own
 * environment are blanked, so team.json alone says where state lives.
 */
export async function startServeProcess(opts: {
  label: string;
  configPath: string;
  port: number;
  replicaId?: string;
  cwd: string;
  /** Log messages to count (substrings of a stderr line). */
  countLogLines?: readonly string[];
  /** Node flags before the bin (--cpu-prof ...). */
  nodeArgs?: readonly string[];
  startTimeoutMs?: number;
}): Promise<ServeProcess> {
  const args = ['team', 'serve', '--config', opts.configPath, '--bind', `127.0.0.1:${opts.port}`];
  if (opts.replicaId) args.push('--replica-id', opts.replicaId);
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), BIN, ...args], {
    cwd: opts.cwd,
    env: {
      ...process.env,
      LEANCTX_DATABASE_URL: '',
      LEANCTX_REDIS_URL: '',
      LEANCTX_SESSION_SECRET: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // a bench that dies (Ctrl-C, a test runner's timeout) must not leave servers behind
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let stderr = '';
  let partial = '';
  const counts: Record<string, number> = Object.fromEntries((opts.countLogLines ?? []).map((m) => [m, 0]));
  const firstLines: Record<string, string> = {};
  child.stderr?.on('data', (c: Buffer) => {
    const text = c.toString();
    stderr = (stderr + text).slice(-STDERR_TAIL_CHARS);
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      for (const m of opts.countLogLines ?? []) {
        if (!line.includes(m)) continue;
        counts[m] = (counts[m] ?? 0) + 1;
        firstLines[m] ??= line.slice(0, 600);
      }
    }
  });
  const timeoutMs = opts.startTimeoutMs ?? 120_000;
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.label} did not start within ${timeoutMs} ms; its stderr:\n${stderr}`));
    }, timeoutMs);
    const onData = (c: Buffer) => {
      out += c.toString();
      if (READY.test(out)) {
        clearTimeout(timer);
        // keep draining stdout (unread) so a chatty server never blocks on a full pipe
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`${opts.label} exited (${signal ?? code}) before it listened; its stderr:\n${stderr}`),
      );
    });
  });
  return {
    label: opts.label,
    pid: child.pid as number,
    url: `http://127.0.0.1:${opts.port}`,
    logLineCounts: () => ({ ...counts }),
    firstLogLines: () => ({ ...firstLines }),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    stop: () => {
      child.kill('SIGCONT');
      return stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
