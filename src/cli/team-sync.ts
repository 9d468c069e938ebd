import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadTeamConfig } from '../config/team-config.ts';
import { CliError, type CliIo } from './cli-error.ts';

const run = promisify(execFile);

/** `team sync`: `git fetch --all --prune` in each workspace that is a git checkout. */
export async function teamSync(opts: { config: string; workspace?: string }, io: CliIo): Promise<number> {
  const cfg = loadTeamConfig(opts.config);
  const targets = opts.workspace ? cfg.workspaces.filter((w) => w.id === opts.workspace) : cfg.workspaces;
  if (targets.length === 0) {
    throw new CliError(
      `unknown workspace "${opts.workspace}"; known: ${cfg.workspaces.map((w) => w.id).join(', ')}`,
      2,
    );
  }
  let failed = 0;
  for (const ws of targets) {
    if (!existsSync(join(ws.root, '.git'))) {
      io.out(`${ws.id}: not a git checkout (${ws.root}); nothing to fetch\n`);
      continue;
    }
    try {
      await run('git', ['-C', ws.root, 'fetch', '--all', '--prune'], { timeout: 120_000 });
      const { stdout } = await run('git', ['-C', ws.root, 'rev-parse', '--short', 'HEAD']);
      io.out(`${ws.id}: fetched (HEAD ${stdout.trim()}); indexes refresh on next use by content hash\n`);
    } catch (err) {
      failed++;
      const detail = ((err as { stderr?: string }).stderr ?? String(err)).trim().split('\n').at(-1);
      io.err(`${ws.id}: git fetch failed: ${detail}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}
