import { loadTeamConfig } from '../config/team-config.ts';
import { channelLine, listChannels } from '../sessions/channels.ts';
import { openStore } from '../store/open-store.ts';
import { CliError, type CliIo } from './cli-error.ts';

/** `session list`: channels of a workspace with revision and agents, as the seed prints them. */
export async function sessionList(opts: { config: string; workspace?: string }, io: CliIo): Promise<void> {
  const cfg = loadTeamConfig(opts.config);
  const id = opts.workspace ?? cfg.defaultWorkspaceId;
  if (!cfg.workspaces.some((w) => w.id === id)) {
    throw new CliError(`unknown workspace "${id}"; known: ${cfg.workspaces.map((w) => w.id).join(', ')}`, 2);
  }
  const store = await openStore(cfg);
  try {
    const channels = await listChannels(store, id);
    io.out(`workspace: ${id}\n`);
    if (channels.length === 0) io.out('  (no activity yet)\n');
    for (const ch of channels) io.out(`${channelLine(ch)}\n`);
  } finally {
    await store.close();
  }
}
