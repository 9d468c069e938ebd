import { compressOutput } from '../engine/shell/compress-output.ts';
import { runCommand } from '../engine/shell/run-command.ts';
import type { CliIo } from './cli-error.ts';

const formatCount = (n: number) => n.toLocaleString('en-US');

/** Output kept from a command run on the command line (as ctx_shell keeps). */
const LIMITS = { timeoutMs: 2 ** 31 - 1, headBytes: 8 * 1024 * 1024, tailBytes: 1024 * 1024 };

/**
 * `lean-ctx -c "<command>"`: runs the command with /bin/sh in the current directory and the
 * caller's environment, prints its output compressed by the ctx_shell rules on stdout, one
 * line of figures on stderr, and exits with the command's code (128+n when a signal ended
 * it). Ctrl-C stops the command's whole process group.
 */
export async function runCompressed(command: string, io: CliIo): Promise<number> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const env = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) as Record<
      string,
      string
    >;
    const run = await runCommand(command, process.cwd(), LIMITS, abort.signal, { env });
    const text = run.output.toString('utf8');
    const out = await compressOutput(command, text);
    io.out(out.text === '' || out.text.endsWith('\n') ? out.text : `${out.text}\n`);
    const code = run.cancelled ? 130 : (run.exitCode ?? 1);
    const figures =
      out.rules.length > 0
        ? `${formatCount(out.tokensRaw)} → ${formatCount(out.tokensSent)} o200k tokens (${out.rules.join(', ')})`
        : `${formatCount(out.tokensRaw)} o200k tokens, sent as they were`;
    const dropped = run.droppedBytes > 0 ? `; ${run.droppedBytes} bytes dropped past the output cap` : '';
    io.err(`[lean-ctx -c: exit ${code} · ${figures}${dropped}]\n`);
    return code;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
