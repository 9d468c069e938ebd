import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROLES } from '../auth/scopes.ts';
import { createTokenSecret, sha256Hex } from '../auth/tokens.ts';
import { updateTeamConfigFile } from '../config/team-config.ts';
import { CliError, type CliIo } from './cli-error.ts';
import { type RunningServer, runServer } from './run-server.ts';

export function parseBind(bind: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(bind.trim());
  const port = Number(m?.[3]);
  if (!m || port > 65535) throw new CliError(`--bind "${bind}" is not HOST:PORT (e.g. 0.0.0.0:7700)`, 2);
  return { host: (m[1] ?? m[2]) as string, port };
}

/**
 * The Docker form: `serve --team --bind H:P --data-dir D`. The first start writes
 * D/team.json (workspace "main" = --workspace or the current directory) and prints an
 * admin token once; later starts reuse it.
 */
export async function serveDataDir(
  opts: { bind?: string; dataDir: string; workspace?: string },
  io: CliIo,
): Promise<RunningServer> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const configPath = join(dataDir, 'team.json');
  const bind = opts.bind ? parseBind(opts.bind) : undefined;
  if (!existsSync(configPath)) {
    const root = resolve(opts.workspace ?? process.cwd());
    if (!existsSync(root)) throw new CliError(`--workspace "${root}" does not exist`);
    const secret = createTokenSecret('admin');
    const initial = {
      host: bind?.host ?? '127.0.0.1',
      port: bind?.port ?? 7700,
      defaultWorkspaceId: 'main',
      auditLogPath: 'audit.log',
      dataDir: '.',
      workspaces: [{ id: 'main', label: 'Main', root }],
      tokens: [
        {
          id: 'admin',
          sha256Hex: sha256Hex(secret),
          scopes: [],
          role: 'admin',
          createdAt: new Date().toISOString(),
        },
      ],
    };
    writeFileSync(configPath, `${JSON.stringify(initial, null, 2)}\n`, { mode: 0o600 });
    io.err(`Created ${configPath} with workspace "main" at ${root}.\n`);
    io.err(`Admin token (shown once, with scopes ${ROLES.admin.join(',')}):\n`);
    io.out(`${secret}\n`);
  } else if (bind) {
    updateTeamConfigFile(configPath, (raw) => {
      raw.host = bind.host;
      raw.port = bind.port;
    });
  }
  return runServer(configPath, io);
}
