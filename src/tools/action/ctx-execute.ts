import { isUtf8 } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { LANGUAGES, type Language, languageOfFile, runtimeFor } from '../../engine/sandbox/runtimes.ts';
import {
  DEFAULT_SANDBOX_LIMITS,
  prepareRun,
  type SandboxStatus,
  sandboxStatus,
} from '../../engine/sandbox/sandbox.ts';
import { type CommandRun, runCommand } from '../../engine/shell/run-command.ts';
import { ToolError } from '../../errors.ts';
import type { ToolContext } from '../define-tool.ts';
import { defineTool } from '../define-tool.ts';

const MAX_CODE_CHARS = 256 * 1024;
const MAX_BATCH = 10;
/** Output kept: the first 32 KiB and the last 16 KiB (what is dropped is said). */
const OUTPUT = { headBytes: 32 * 1024, tailBytes: 16 * 1024 };
/** Where the code file goes inside the sandbox (its private /tmp). */
const CODE_DIR_INSIDE = '/tmp/.leanctx';
const SANDBOX_PATH = '/usr/local/bin:/usr/bin:/bin';

const item = z.strictObject({
  language: z.enum(LANGUAGES),
  code: z.string().min(1).max(MAX_CODE_CHARS),
});

/** Models sometimes send a list as a JSON string: accept both. */
const items = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}, z.array(item).min(1).max(MAX_BATCH));

const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

interface Job {
  language: Language;
  /** Code to write to a file, or a workspace file to run in place. */
  code?: string;
  file?: { abs: string; rel: string };
}

interface Outcome {
  text: string;
  failed: boolean;
  exitCode: number | null;
}

function statusOf(run: CommandRun, timeoutS: number, cpuS: number): { line: string; failed: boolean } {
  if (run.timedOut)
    return { line: `timed out after ${timeoutS} s; its process group was killed`, failed: true };
  if (run.cancelled)
    return { line: 'cancelled (the call ended); its process group was killed', failed: true };
  if (run.exitCode === null) {
    const why = run.stderrTail.trim().split('\n').at(-1);
    return { line: `the run ended before reporting an exit code${why ? ` (${why})` : ''}`, failed: true };
  }
  if (run.signal === 'SIGXCPU' || (run.signal === 'SIGKILL' && run.durationMs >= cpuS * 1000)) {
    return { line: `killed by ${run.signal}: the CPU-time limit of ${cpuS} s`, failed: true };
  }
  if (run.signal === 'SIGXFSZ') {
    return {
      line: `killed by SIGXFSZ: a file grew past ${DEFAULT_SANDBOX_LIMITS.fileBytes} bytes`,
      failed: true,
    };
  }
  if (run.signal) return { line: `killed by ${run.signal} (exit ${run.exitCode})`, failed: true };
  return { line: `exit ${run.exitCode}`, failed: false };
}

async function runJob(
  job: Job,
  args: { timeout: number; write: boolean; intent?: string },
  ctx: ToolContext,
): Promise<Outcome> {
  const ws = ctx.workspace;
  const runtime = await runtimeFor(job.language);
  if (typeof runtime === 'string') {
    throw new ToolError(
      `${job.language} is not available on this server: ${runtime}. Install its toolchain on the server, or use one of: javascript, typescript, python, shell`,
    );
  }
  const hostTmp = mkdtempSync(join(tmpdir(), 'leanctx-exec-'));
  try {
    let codeFrom: string | undefined;
    let fileArg: string;
    let codeAt: string | undefined;
    const source =
      job.code ??
      (job.language === 'typescript' && job.file ? readFileSync(job.file.abs, 'utf8') : undefined);
    const status0 = await sandboxStatus();
    if (source !== undefined) {
      const ext = runtime.ext(source);
      const text = runtime.transform ? await runtime.transform(source, ext) : source;
      codeFrom = join(hostTmp, `main.${ext}`);
      writeFileSync(codeFrom, text, { mode: 0o600 });
      codeAt = `${CODE_DIR_INSIDE}/main.${ext}`;
      fileArg = status0.sandboxed ? codeAt : codeFrom;
    } else {
      fileArg = (job.file as { abs: string }).abs;
    }
    const cwd = job.file ? dirname(job.file.abs) : ws.root;
    const limits = { ...DEFAULT_SANDBOX_LIMITS, cpuSeconds: args.timeout };
    const { status, argv } = await prepareRun({
      root: ws.root,
      cwd,
      write: args.write,
      extraDirs: runtime.dirs,
      ...(codeFrom && codeAt ? { codeFrom, codeAt } : {}),
      limits,
    });
    const tmp = status.sandboxed ? '/tmp' : hostTmp;
    const env: Record<string, string> = {
      PATH: status.sandboxed ? SANDBOX_PATH : (process.env.PATH ?? SANDBOX_PATH),
      HOME: tmp,
      TMPDIR: tmp,
      LANG: 'C.UTF-8',
      TERM: 'dumb',
      NO_COLOR: '1',
      PYTHONDONTWRITEBYTECODE: '1',
      ...runtime.env(tmp),
    };
    let run: CommandRun;
    try {
      run = await runCommand(
        runtime.argv(fileArg).map(shellQuote).join(' '),
        cwd,
        // the wall clock allows the sandbox's set-up on top of the CPU time
        { timeoutMs: args.timeout * 1000 + 5000, ...OUTPUT },
        ctx.signal,
        { env, wrap: argv.wrap },
      );
    } finally {
      argv.cleanup();
    }
    const { line, failed } = statusOf(run, args.timeout, args.timeout);
    const notes = [
      runtime.describe,
      line,
      `${Math.round(run.durationMs)} ms`,
      sandboxNote(status, args.write),
    ];
    if (run.droppedBytes > 0) {
      notes.push(
        `${run.droppedBytes} bytes of output dropped (the first ${OUTPUT.headBytes} and last ${OUTPUT.tailBytes} kept)`,
      );
    }
    if (!isUtf8(run.output)) notes.push('output is not valid UTF-8: invalid bytes shown as U+FFFD');
    const out = run.output.toString('utf8');
    const head = args.intent ? `[intent: ${args.intent}]\n` : '';
    const body = `${head}${out}${out === '' || out.endsWith('\n') ? '' : '\n'}[${notes.join(' · ')}]`;
    return { text: body, failed, exitCode: run.exitCode };
  } finally {
    rmSync(hostTmp, { recursive: true, force: true });
  }
}

function sandboxNote(status: SandboxStatus, write: boolean): string {
  if (!status.sandboxed) return status.detail;
  return `${status.detail}; workspace ${write ? 'writable' : 'read-only'}`;
}

export const ctxExecute = defineTool({
  name: 'ctx_execute',
  description:
    'Run code (javascript, typescript, python, shell; others when installed) in a sandbox: no network, workspace read-only unless write.',
  scope: 'exec',
  exec: true,
  input: z.object({
    language: z
      .enum(LANGUAGES)
      .optional()
      .describe('Required unless action is batch, or file with a known extension'),
    code: z.string().min(1).max(MAX_CODE_CHARS).optional(),
    action: z.enum(['run', 'batch', 'file']).default('run'),
    items: items.optional().describe('batch: [{language, code}], at most 10'),
    path: z.string().max(4096).optional().describe('file: a workspace file to run'),
    intent: z.string().max(500).optional(),
    timeout: z.number().int().min(1).max(300).default(30).describe('CPU seconds (wall clock + 5 s)'),
    write: z.boolean().default(false).describe('Workspace writable inside the sandbox'),
  }),
  async run(args, ctx) {
    const jobs: Job[] = [];
    if (args.action === 'batch') {
      if (!args.items)
        throw new ToolError('action "batch" needs items: [{"language": "python", "code": "…"}, …]');
      jobs.push(...args.items);
    } else if (args.action === 'file') {
      if (!args.path) throw new ToolError('action "file" needs path: a workspace file to run');
      const file = ctx.workspace.jail.resolve(args.path);
      if (!statSync(file.abs, { throwIfNoEntry: false })?.isFile()) {
        throw new ToolError(`path "${file.rel}" is not a file in the workspace`);
      }
      const language = args.language ?? languageOfFile(file.abs);
      if (!language) {
        throw new ToolError(
          `cannot tell the language of "${file.rel}" from its extension; give language (${LANGUAGES.join(', ')})`,
        );
      }
      jobs.push({ language, file });
    } else {
      if (!args.code)
        throw new ToolError(
          'give code (and language) to run, or action "file" with a path, or action "batch" with items',
        );
      if (!args.language) throw new ToolError(`give language: one of ${LANGUAGES.join(', ')}`);
      jobs.push({ language: args.language, code: args.code });
    }
    const parts: string[] = [];
    let failed = false;
    let lastExit: number | null = null;
    for (const [i, job] of jobs.entries()) {
      const outcome = await runJob(job, args, ctx);
      failed ||= outcome.failed;
      lastExit = outcome.exitCode;
      parts.push(
        jobs.length > 1 ? `## ${i + 1}/${jobs.length} ${job.language}\n${outcome.text}` : outcome.text,
      );
      if (ctx.signal.aborted) break;
    }
    ctx.reportExit?.(lastExit);
    const text = parts.join('\n\n');
    if (failed) throw new ToolError(text);
    return text;
  },
});
