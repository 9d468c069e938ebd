import { ToolError } from '../../errors.ts';
import { runGit, verifyRevision } from './run-git.ts';

export interface PrBase {
  /** What the base was found as: `merge-base with main`, `HEAD~1`, or the name given. */
  label: string;
  commit: string;
  /** The branch checked out, or `HEAD` when detached. */
  head: string;
}

const DEFAULT_BRANCHES = ['main', 'master', 'trunk', 'develop'];

const tryGit = (root: string, args: string[], signal?: AbortSignal) =>
  runGit(root, args, signal).then(
    (out) => out.trim(),
    () => undefined,
  );

/** The repository's default branch: origin's HEAD, else the first of main/master/trunk/develop that exists. */
async function defaultBranch(root: string, signal?: AbortSignal): Promise<string | undefined> {
  const origin = await tryGit(
    root,
    ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD'],
    signal,
  );
  if (origin) return origin;
  for (const name of DEFAULT_BRANCHES) {
    if (await tryGit(root, ['rev-parse', '--verify', '--quiet', `refs/heads/${name}`], signal)) return name;
  }
  return undefined;
}

/**
 * The base a PR diff starts from. `auto`: the merge-base with the default branch when HEAD is
 * on another branch and shares history with it, else HEAD~1.
 */
export async function resolvePrBase(root: string, base: string, signal?: AbortSignal): Promise<PrBase> {
  const head = (await tryGit(root, ['rev-parse', '--abbrev-ref', 'HEAD'], signal)) ?? 'HEAD';
  if (base !== 'auto') return { label: base, commit: await verifyRevision(root, base, signal), head };
  const main = await defaultBranch(root, signal);
  const headCommit = await tryGit(root, ['rev-parse', 'HEAD'], signal);
  if (!headCommit) throw new ToolError('the repository has no commit yet; commit something to diff against');
  if (main && main !== head && main !== `origin/${head}`) {
    const mergeBase = await tryGit(root, ['merge-base', main, 'HEAD'], signal);
    if (mergeBase && mergeBase !== headCommit)
      return { label: `merge-base with ${main}`, commit: mergeBase, head };
  }
  const parent = await tryGit(root, ['rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}'], signal);
  if (!parent)
    throw new ToolError('HEAD has no parent commit and no other branch to compare with; pass base');
  return { label: 'HEAD~1', commit: parent, head };
}
