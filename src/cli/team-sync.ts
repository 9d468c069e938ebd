import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadTeamConfig, type TeamConfig } from '../config/team-config.ts';
import { closeEnginePool } from '../engine/workers/engine-pool.ts';
import { workspaceOf } from '../pipeline/team-state.ts';
import { openStore } from '../store/open-store.ts';
import { CliError, type CliIo } from './cli-error.ts';
import { buildGraphWithProgress, builtLine } from './graph-build.ts';

const exec = promisify(execFile);
const GIT_TIMEOUT_MS = 120_000;

/** A workspace the sync stops at, with what to do about it. */
class SyncRefused extends Error {}

const gitRaw = async (root: string, ...args: string[]) =>
  (await exec('git', ['-C', root, ...args], { timeout: GIT_TIMEOUT_MS })).stdout;
const git = async (root: string, ...args: string[]) => (await gitRaw(root, ...args)).trim();

/**
 * `--pull`: a fast-forward of the checked-out branch to its upstream, or a refusal that says
 * why (uncommitted changes, no upstream, diverged) and what to do.
 */
async function fastForward(root: string): Promise<string> {
  // `XY path` lines: a status column may be blank, so this output is not trimmed
  const dirty = (await gitRaw(root, 'status', '--porcelain', '--untracked-files=no'))
    .split('\n')
    .filter(Boolean);
  if (dirty.length > 0) {
    const sample = dirty
      .slice(0, 3)
      .map((l) => l.slice(3))
      .join(', ');
    throw new SyncRefused(
      `not pulled: the working tree has uncommitted changes (${dirty.length} file(s): ${sample}${dirty.length > 3 ? ', …' : ''}); commit or stash them, then run team sync --pull again`,
    );
  }
  const branch = await git(root, 'rev-parse', '--abbrev-ref', 'HEAD');
  if (branch === 'HEAD') throw new SyncRefused('not pulled: HEAD is detached; check out a branch first');
  const upstream = await git(root, 'rev-parse', '--abbrev-ref', '--symbolic-full-name', '@{u}').catch(() => {
    throw new SyncRefused(
      `not pulled: branch ${branch} has no upstream; set one with git branch --set-upstream-to=origin/${branch}`,
    );
  });
  const [ahead, behind] = (await git(root, 'rev-list', '--left-right', '--count', `HEAD...${upstream}`))
    .split(/\s+/)
    .map(Number) as [number, number];
  if (ahead > 0 && behind > 0) {
    throw new SyncRefused(
      `not pulled: branch ${branch} has diverged from ${upstream} (${ahead} local, ${behind} remote commit(s)); rebase or merge it by hand, then sync again`,
    );
  }
  if (behind === 0) return ahead > 0 ? `up to date (${ahead} local commit(s) not pushed)` : 'up to date';
  const before = await git(root, 'rev-parse', '--short', 'HEAD');
  await git(root, 'merge', '--ff-only', '--quiet', upstream);
  return `fast-forwarded ${branch} ${before}..${await git(root, 'rev-parse', '--short', 'HEAD')} (${behind} commit(s))`;
}

/**
 * The graph_built event goes to the server's own database, where its event store reads it:
 * a channel's history and a reconnecting subscriber see it (live SSE push comes only from
 * builds inside the server process).
 */
async function recordGraphBuilt(cfg: TeamConfig, workspaceId: string, payload: Record<string, unknown>) {
  const store = await openStore(cfg);
  try {
    await store.events.append({
      workspaceId,
      channelId: 'main',
      kind: 'graph_built',
      actor: 'team-sync',
      payload,
    });
  } finally {
    await store.close();
  }
}

/**
 * `team sync [--pull]`: per workspace `git fetch --all --prune`, with `--pull` a fast-forward,
 * then an incremental re-index of the code graph and a graph_built event. A workspace that
 * fails is named and the others still sync; the exit code is then 1.
 */
export async function teamSync(
  opts: { config: string; workspace?: string; pull?: boolean },
  io: CliIo,
  tty = false,
): Promise<number> {
  const cfg = loadTeamConfig(opts.config);
  const targets = opts.workspace ? cfg.workspaces.filter((w) => w.id === opts.workspace) : cfg.workspaces;
  if (targets.length === 0) {
    throw new CliError(
      `unknown workspace "${opts.workspace}"; known: ${cfg.workspaces.map((w) => w.id).join(', ')}`,
      2,
    );
  }
  const failed: string[] = [];
  try {
    for (const ws of targets) {
      if (!existsSync(join(ws.root, '.git'))) {
        io.out(`${ws.id}: not a git checkout (${ws.root}); nothing to fetch\n`);
        continue;
      }
      try {
        await git(ws.root, 'fetch', '--all', '--prune');
        const head = await git(ws.root, 'rev-parse', '--short', 'HEAD').catch(() => 'none');
        io.out(`${ws.id}: fetched (HEAD ${head})\n`);
        if (opts.pull) io.out(`${ws.id}: ${await fastForward(ws.root)}\n`);
      } catch (err) {
        failed.push(ws.id);
        const detail =
          err instanceof SyncRefused
            ? err.message
            : `git failed: ${((err as { stderr?: string }).stderr || String(err)).trim().split('\n').at(-1)}`;
        io.err(`${ws.id}: ${detail}\n`);
        continue;
      }
      const workspace = workspaceOf(ws, cfg);
      try {
        const built = await buildGraphWithProgress(workspace, io, { tty, label: ws.id });
        io.out(`${ws.id}: ${builtLine(built)}\n`);
        if (!built.building) {
          await recordGraphBuilt(cfg, ws.id, {
            files: built.indexed,
            parsed: built.parsed,
            ms: built.ms,
            by: 'team sync',
          });
        }
      } catch (err) {
        failed.push(ws.id);
        io.err(`${ws.id}: re-index failed: ${err instanceof Error ? err.message : String(err)}\n`);
      } finally {
        await workspace.close();
      }
    }
  } finally {
    await closeEnginePool();
  }
  if (failed.length > 0) io.err(`team sync: failed for ${failed.join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}
