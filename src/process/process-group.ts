import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/**
 * A POSIX sh stays as the group leader next to the program: it hands its stdin on, closes
 * its own copy of stdin/stdout (so their EOF means the program is gone) and blocks reading
 * fd 3, our lifeline. The kernel closes the lifeline when our process dies, even by
 * SIGKILL; the shell then terminates the whole group, grandchildren of npx/uvx included.
 * Downstream MCP servers run this way, and so can any tool that spawns a process tree.
 */
const WATCHDOG = [
  'exec 4<&0',
  '"$@" <&4 4<&- 3<&- &',
  'exec 4<&- 0</dev/null 1>/dev/null',
  "trap '' TERM INT HUP",
  'read -r _ <&3',
  'kill -TERM 0 2>/dev/null',
  'sleep 1',
  'kill -KILL 0',
].join('\n');

export interface GroupProcess {
  /** The group leader's pid, which is also the process group id. */
  readonly pid: number;
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** The last few KB the server wrote to stderr, for error messages. */
  stderrTail(): string;
  /** Resolves once the server's stdout has closed (it exited or was killed). */
  readonly closed: Promise<void>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the leader has exited. */
  kill(graceMs?: number): Promise<void>;
}

export interface SpawnGroupOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
  stderrTailBytes?: number;
  /** Each stderr line as it arrives (debug logging). */
  onStderr?: (line: string) => void;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is already gone
  }
}

/** Spawns `command` in a new process group guarded by the watchdog shell. */
export function spawnProcessGroup(command: readonly string[], opts: SpawnGroupOptions): GroupProcess {
  const [program, ...args] = command;
  if (!program) throw new Error('empty command: give at least the program to run');
  const posix = process.platform !== 'win32';
  const child: ChildProcess = posix
    ? spawn('/bin/sh', ['-c', WATCHDOG, 'process-group', program, ...args], {
        detached: true,
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
        env: opts.env,
        cwd: opts.cwd,
      })
    : spawn(program, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: opts.env,
        cwd: opts.cwd,
        windowsHide: true,
      });
  const { stdin, stdout, stderr } = child;
  if (!stdin || !stdout || !stderr || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new Error(`could not spawn "${program}"`);
  }
  const pid = child.pid;
  const limit = opts.stderrTailBytes ?? 4096;
  let tail = '';
  let partial = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-limit);
    if (opts.onStderr) {
      const lines = (partial + chunk).split('\n');
      // A line never ends: keep only what a log line can show.
      partial = (lines.pop() ?? '').slice(-limit);
      try {
        for (const line of lines) if (line) opts.onStderr(line);
      } catch {
        // a failing log sink must not take the process down with it
      }
    }
  });
  stderr.on('error', () => {});
  stdin.on('error', () => {});
  const lifeline = child.stdio[3] as (Writable & { unref?: () => void }) | null | undefined;
  lifeline?.on('error', () => {});
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const closed = new Promise<void>((resolve) => {
    stdout.once('close', () => resolve());
    child.once('error', () => resolve());
  });
  let killing: Promise<void> | undefined;
  return {
    pid,
    stdin,
    stdout,
    stderrTail: () => tail.trim(),
    closed,
    kill(graceMs = 2000) {
      killing ??= (async () => {
        stdin.end();
        if (posix) signalGroup(pid, 'SIGTERM');
        else child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([closed, new Promise((r) => (timer = setTimeout(r, graceMs).unref()))]);
        clearTimeout(timer);
        // Whatever is left in the group (the watchdog, stubborn grandchildren) goes now.
        if (posix) signalGroup(pid, 'SIGKILL');
        else child.kill('SIGKILL');
        lifeline?.destroy();
        await exited;
        stdout.destroy();
        stderr.destroy();
      })();
      return killing;
    },
  };
}
