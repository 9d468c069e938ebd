import { execFile } from 'node:child_process';
import { ToolError } from '../../errors.ts';

const GIT_TIMEOUT_MS = 20_000;
/** A diff or listing past this is refused, not truncated: a partial diff would mislead. */
export const GIT_MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** Runs git in `root` (no shell, no pager, paths unquoted); rejects with git's own message. */
export function runGit(root: string, args: readonly string[], signal?: AbortSignal): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      'git',
      ['-C', root, '-c', 'core.quotepath=off', '--no-pager', ...args],
      { timeout: GIT_TIMEOUT_MS, maxBuffer: GIT_MAX_OUTPUT_BYTES, signal, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return done(stdout);
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return fail(new ToolError('git is not installed on the server'));
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          return fail(new ToolError(`git output is over ${GIT_MAX_OUTPUT_BYTES} bytes; pick a nearer base`));
        fail(new GitError(stderr.trim().split('\n')[0] || err.message));
      },
    );
  });
}

/** git ran and said no: the first line of its stderr. */
export class GitError extends Error {
  override name = 'GitError';
}

/** Throws a ToolError naming why git actions are unavailable unless `root` is inside a git work tree. */
export async function requireGitRepo(root: string, action: string, signal?: AbortSignal): Promise<void> {
  try {
    await runGit(root, ['rev-parse', '--is-inside-work-tree'], signal);
  } catch (err) {
    if (err instanceof ToolError) throw err;
    throw new ToolError(
      `${action} needs git history, and the workspace is not a git repository (${(err as Error).message}); the code graph tools work without it`,
    );
  }
}

/** A revision a client may name: no option (`-x`), no spaces, no `..` ranges. */
const SAFE_REV = /^(?!-)[\w./@^~{}-]{1,200}$/;

/** The commit a revision names, or a ToolError saying it does not exist. */
export async function verifyRevision(root: string, rev: string, signal?: AbortSignal): Promise<string> {
  if (!SAFE_REV.test(rev) || rev.includes('..'))
    throw new ToolError(`base "${rev}" is not a revision name; use a branch, tag, commit or HEAD~N`);
  try {
    return (await runGit(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], signal)).trim();
  } catch {
    throw new ToolError(
      `base "${rev}" is not a commit in this repository; use a branch, tag, commit or HEAD~N`,
    );
  }
}
