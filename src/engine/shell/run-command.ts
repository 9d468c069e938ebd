import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { commandEnvironment } from '../../config/command-env.ts';
import { spawnProcessGroup } from '../../process/process-group.ts';

export interface RunLimits {
  timeoutMs: number;
  /** Bytes of output kept from the start; past it only the last `tailBytes` are kept. */
  headBytes: number;
  tailBytes: number;
}

export const DEFAULT_RUN_LIMITS: RunLimits = {
  timeoutMs: 30_000,
  headBytes: 1024 * 1024,
  tailBytes: 256 * 1024,
};

export interface CommandRun {
  /** stdout and stderr interleaved as the command wrote them (head, then tail past the cap). */
  output: Buffer;
  /** Bytes dropped between head and tail. */
  droppedBytes: number;
  /** The command's exit status; null when it was killed by us (timeout, cancel). */
  exitCode: number | null;
  /** The signal that ended it (from a 128+n status), if any. */
  signal: string | undefined;
  timedOut: boolean;
  cancelled: boolean;
  /** The shell's directory when the command finished (after any `cd`). */
  cwdAfter: string | undefined;
  durationMs: number;
  /** The last bytes written to stderr outside the command's own 2>&1 (a sandbox that failed to build). */
  stderrTail: string;
}

/*
 * The command runs in a subshell whose stderr joins stdout; after it, the subshell prints its
 * final directory and the outer shell the exit status, each on a line tagged with a nonce
 * the command cannot guess.
 */
const WRAPPER = [
  '( eval "$1"; s=$?; printf \'\\n%s-cwd:%s\\n\' "$2" "$PWD"; exit $s ) 2>&1 </dev/null',
  'printf \'\\n%s-exit:%s\\n\' "$2" "$?"',
].join('\n');

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));

export interface RunOptions {
  /** The environment instead of the shell tools' allow-list. */
  env?: Record<string, string>;
  /** Wraps the shell's argv, e.g. in a sandbox (the exit and cwd lines are printed inside it). */
  wrap?: (argv: readonly string[]) => string[];
}

/** Runs `command` with /bin/sh in `cwd` as its own process group, killed whole on timeout or abort. */
export async function runCommand(
  command: string,
  cwd: string,
  limits: RunLimits,
  signal: AbortSignal,
  opts: RunOptions = {},
): Promise<CommandRun> {
  const started = performance.now();
  const nonce = `leanctx-${randomBytes(8).toString('hex')}`;
  const argv = ['/bin/sh', '-c', WRAPPER, 'sh', command, nonce];
  const proc = spawnProcessGroup(opts.wrap ? opts.wrap(argv) : argv, {
    env: opts.env ?? commandEnvironment(),
    cwd,
    stderrTailBytes: 16 * 1024,
  });
  proc.stdin.end();
  const head: Buffer[] = [];
  let headLen = 0;
  let tail: Buffer[] = [];
  let tailLen = 0;
  let dropped = 0;
  proc.stdout.on('data', (chunk: Buffer) => {
    const room = limits.headBytes - headLen;
    if (room > 0) {
      const part = chunk.subarray(0, room);
      head.push(part);
      headLen += part.length;
      chunk = chunk.subarray(part.length);
    }
    if (chunk.length === 0) return;
    tail.push(chunk);
    tailLen += chunk.length;
    if (tailLen > limits.tailBytes * 2) {
      const joined = Buffer.concat(tail);
      const keep = joined.subarray(joined.length - limits.tailBytes);
      dropped += joined.length - keep.length;
      tail = [keep];
      tailLen = keep.length;
    }
  });
  proc.stdout.on('error', () => {});
  let timedOut = false;
  let cancelled = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.kill(1000);
  }, limits.timeoutMs).unref();
  const onAbort = () => {
    cancelled = true;
    void proc.kill(1000);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    await proc.closed;
    // the outer shell prints the status after the output closed; wait for the group to end
    await proc.kill(1000);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
  const tailJoined = Buffer.concat(tail);
  const tailKept = tailJoined.subarray(Math.max(0, tailJoined.length - limits.tailBytes));
  dropped += tailJoined.length - tailKept.length;
  let output = Buffer.concat([...head, tailKept]);
  const exitAt = output.lastIndexOf(`\n${nonce}-exit:`);
  const cwdAt = output.lastIndexOf(`\n${nonce}-cwd:`);
  const cut = cwdAt !== -1 && (exitAt === -1 || cwdAt < exitAt) ? cwdAt : exitAt;
  const trailer = cut === -1 ? '' : output.subarray(cut).toString('utf8');
  if (cut !== -1) output = output.subarray(0, cut);
  const exitMatch = new RegExp(`\n${nonce}-exit:(\\d+)\n`).exec(trailer);
  const cwdMatch = new RegExp(`\n${nonce}-cwd:(.*)\n`).exec(trailer);
  const killed = timedOut || cancelled || !exitMatch;
  const status = killed ? null : Number(exitMatch[1]);
  return {
    output,
    droppedBytes: dropped,
    exitCode: status,
    signal:
      status !== null && status > 128
        ? SIGNAL_NAMES.get(status - 128)
        : timedOut || cancelled
          ? 'SIGTERM'
          : undefined,
    timedOut,
    cancelled,
    cwdAfter: cwdMatch?.[1],
    durationMs: performance.now() - started,
    stderrTail: proc.stderrTail(),
  };
}
