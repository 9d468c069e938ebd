import { isUtf8 } from 'node:buffer';
import { statSync } from 'node:fs';
import { z } from 'zod';
import { commandEnvironment } from '../../config/command-env.ts';
import { archiveOf } from '../../engine/archive.ts';
import { contextScope } from '../../engine/read/cache.ts';
import { DEFAULT_SANDBOX_LIMITS, prepareRun } from '../../engine/sandbox/sandbox.ts';
import { checkCommand, MAX_COMMAND_CHARS } from '../../engine/shell/command-policy.ts';
import { compressOutput } from '../../engine/shell/compress-output.ts';
import { type CommandRun, DEFAULT_RUN_LIMITS, runCommand } from '../../engine/shell/run-command.ts';
import { shellDirsOf } from '../../engine/shell/shell-cwd.ts';
import { familyOf, shellLogOf } from '../../engine/shell/shell-log.ts';
import { savingsFooter } from '../../engine/tokens.ts';
import { AppError, ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

const MAX_TIMEOUT_MS = 10 * 60 * 1000;
/** Output larger than this is archived, so the full text stays one ctx_expand away. */
const ARCHIVE_CHARS = 16 * 1024;

function statusLine(run: CommandRun, timeoutMs: number, cwd: string, notes: string[]): string {
  const parts: string[] = [];
  if (run.timedOut) parts.push(`timed out after ${timeoutMs} ms; its process group was killed`);
  else if (run.cancelled) parts.push('cancelled (the call ended); its process group was killed');
  else if (run.exitCode === null) parts.push('the command shell was killed before it reported an exit code');
  else if (run.signal) parts.push(`killed by ${run.signal} (exit ${run.exitCode})`);
  else if (run.exitCode === 127) parts.push('exit 127: command not found');
  else parts.push(`exit ${run.exitCode}`);
  parts.push(`${Math.round(run.durationMs)} ms`, `cwd ${cwd}`);
  if (run.droppedBytes > 0) {
    parts.push(
      `${run.droppedBytes} bytes dropped past the ${DEFAULT_RUN_LIMITS.headBytes}-byte output cap (the start and the last ${DEFAULT_RUN_LIMITS.tailBytes} bytes kept)`,
    );
  }
  return `[${[...parts, ...notes].join(' · ')}]`;
}

/** The sandbox of a workspace with `sandbox: true`; refused when this machine cannot make one. */
async function sandboxFor(root: string, cwd: string, timeoutMs: number) {
  const prepared = await prepareRun({
    root,
    cwd,
    write: true,
    limits: { ...DEFAULT_SANDBOX_LIMITS, cpuSeconds: Math.ceil(timeoutMs / 1000) },
  });
  if (!prepared.status.sandboxed) {
    prepared.argv.cleanup();
    throw new ToolError(
      `this workspace sets sandbox: true, but this machine cannot sandbox (${prepared.status.detail}); ` +
        'commands are not run unsandboxed. Fix the machine (util-linux, user namespaces) or unset sandbox.',
    );
  }
  return prepared;
}

export const ctxShell = defineTool({
  name: 'ctx_shell',
  description:
    'Run a shell command in the workspace; output compressed, errors and file:line kept. cd persists.',
  scope: 'exec',
  exec: true,
  core: true,
  input: z.object({
    command: z.string().min(1).max(MAX_COMMAND_CHARS),
    cwd: z.string().max(4096).optional(),
    raw: z.boolean().default(false).describe('Exact output'),
    timeout_ms: z.number().int().min(100).max(MAX_TIMEOUT_MS).default(DEFAULT_RUN_LIMITS.timeoutMs),
  }),
  async run(args, ctx) {
    const ws = ctx.workspace;
    const refusal = checkCommand(ws.commandPolicy, args.command);
    if (refusal) throw new AppError('command_denied', `ctx_shell refused: ${refusal}`, { tool: 'ctx_shell' });
    const scope = contextScope(ctx.agentId, ctx.contextId);
    const dirs = shellDirsOf(ws);
    const dir = ws.jail.resolve(args.cwd ?? (scope === undefined ? undefined : dirs.get(scope)) ?? '.');
    if (!statSync(dir.abs, { throwIfNoEntry: false })?.isDirectory()) {
      throw new ToolError(`cwd "${dir.rel}" is not a directory in the workspace`);
    }
    const notes: string[] = [];
    const sandbox = ws.sandbox ? await sandboxFor(ws.root, dir.abs, args.timeout_ms) : undefined;
    if (sandbox) notes.push(sandbox.status.detail);
    let run: CommandRun;
    try {
      run = await runCommand(
        args.command,
        dir.abs,
        { ...DEFAULT_RUN_LIMITS, timeoutMs: args.timeout_ms },
        ctx.signal,
        sandbox
          ? { wrap: sandbox.argv.wrap, env: { ...commandEnvironment(), HOME: '/tmp', TMPDIR: '/tmp' } }
          : {},
      );
    } finally {
      sandbox?.argv.cleanup();
    }
    ctx.reportExit?.(run.exitCode);
    let cwd = dir.rel;
    if (run.cwdAfter !== undefined) {
      try {
        cwd = ws.jail.resolve(run.cwdAfter).rel;
      } catch {
        notes.push(`the command left the workspace root; cwd stays ${dir.rel}`);
      }
    }
    if (scope !== undefined) dirs.set(scope, cwd);
    const valid = isUtf8(run.output);
    if (!valid) notes.push('output is not valid UTF-8: invalid bytes shown as U+FFFD');
    const failed = run.timedOut || run.cancelled || run.exitCode === null || run.exitCode === 127;
    const status = statusLine(run, args.timeout_ms, cwd, notes);
    const log = shellLogOf(ws);
    const { family, head } = familyOf(args.command);
    if (args.raw) {
      if (!failed && valid && run.output.length > 0) {
        // measured after the answer went out, for ctx_discover: what the rules would have sent
        const text = run.output.toString('utf8');
        void compressOutput(args.command, text)
          .then((c) =>
            log.record({
              t: new Date().toISOString(),
              family,
              head,
              raw: true,
              tokensRaw: c.tokensRaw,
              tokensSent: c.tokensRaw,
              tokensCompressed: c.tokensSent,
            }),
          )
          .catch(() => {});
      }
      const exact = valid ? run.output.toString('utf8') : `base64:${run.output.toString('base64')}`;
      return {
        content: [
          { type: 'text', text: exact },
          { type: 'text', text: valid ? status : `${status} [raw output is not UTF-8: sent as base64]` },
        ],
        ...(failed ? { isError: true } : {}),
      };
    }
    const text = run.output.toString('utf8');
    const out = await compressOutput(args.command, text, ctx.signal);
    if (!failed) {
      log.record({
        t: new Date().toISOString(),
        family,
        head,
        raw: false,
        tokensRaw: out.tokensRaw,
        tokensSent: out.tokensSent,
      });
    }
    let archived = '';
    if (out.omitted || text.length > ARCHIVE_CHARS) {
      const meta = archiveOf(ws).put(text, 'ctx_shell', args.command.slice(0, 200), { countTokens: false });
      archived = ` [full output: ctx_expand id="${meta.id}"]`;
    }
    const body = `${out.text}${out.text === '' || out.text.endsWith('\n') ? '' : '\n'}${status}${archived}`;
    if (failed) throw new ToolError(body);
    if (out.rules.length === 0) return body;
    return {
      text: `${body}\n${savingsFooter(out.tokensRaw, out.tokensSent)} (${out.rules.join(', ')})`,
      tokensRaw: out.tokensRaw,
      tokensSaved: out.tokensRaw - out.tokensSent,
    };
  },
});
