import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { localDataDir } from '../config/client-config.ts';
import { loadTeamConfig } from '../config/team-config.ts';
import { closeEnginePool } from '../engine/workers/engine-pool.ts';
import { createWorkspace, type Workspace } from '../engine/workspace.ts';
import { workspaceOf } from '../pipeline/team-state.ts';
import { CliError, type CliIo } from './cli-error.ts';
import { buildGraphWithProgress, builtLine } from './graph-build.ts';

export interface IndexBuildOptions {
  workspace?: string;
  config: string;
  full?: boolean;
  /** Whether stderr is a terminal (the bar), else plain lines on stdout. */
  tty: boolean;
}

/** The workspace a `--workspace ID` (of team.json) or a PATH (the local mode's graph) names. */
function targetOf(path: string | undefined, opts: IndexBuildOptions): Workspace {
  if (opts.workspace !== undefined && path !== undefined) {
    throw new CliError('give either --workspace ID or a PATH, not both', 2);
  }
  if (opts.workspace !== undefined) {
    const cfg = loadTeamConfig(opts.config);
    const ws = cfg.workspaces.find((w) => w.id === opts.workspace);
    if (!ws) {
      throw new CliError(
        `unknown workspace "${opts.workspace}"; known: ${cfg.workspaces.map((w) => w.id).join(', ')}`,
        2,
      );
    }
    return workspaceOf(ws, cfg);
  }
  const root = resolve(path ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CliError(`"${root}" is not a directory; give a project directory or --workspace ID`, 2);
  }
  // the same graph `lean-ctx mcp` uses in local mode for this directory
  return createWorkspace({ id: 'local', root, dataDir: localDataDir(root) });
}

/** `index build [--workspace ID | PATH]`: the code graph brought up to date, with progress. */
export async function indexBuild(
  path: string | undefined,
  opts: IndexBuildOptions,
  io: CliIo,
): Promise<number> {
  const workspace = targetOf(path, opts);
  try {
    io.out(`${workspace.id}: building the code graph of ${workspace.root}\n`);
    const built = await buildGraphWithProgress(workspace, io, { tty: opts.tty, full: opts.full });
    io.out(`${workspace.id}: ${builtLine(built)}\n`);
    return 0;
  } finally {
    await workspace.close();
    await closeEnginePool();
  }
}
