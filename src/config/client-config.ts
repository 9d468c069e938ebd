import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where a developer's `lean-ctx mcp` sends its calls: a team server, or nowhere (local). */
export interface TeamClientConfig {
  server: string;
  token: string;
  workspace: string | undefined;
}

/** The `[team]` table of .lean-ctx/config.toml: flat `key = "value"` lines are all it holds. */
export function parseTeamToml(text: string): Partial<TeamClientConfig> {
  const out: Record<string, string> = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (!line) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]?.trim() ?? '';
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')$/.exec(line);
    if (section === 'team' && kv?.[1]) out[kv[1]] = kv[2] ?? kv[3] ?? '';
  }
  return out;
}

/**
 * The team connection from the environment (LEANCTX_TEAM_SERVER, LEANCTX_TEAM_TOKEN,
 * LEANCTX_WORKSPACE), else `.lean-ctx/config.toml` in `cwd`; undefined when neither names a server.
 */
export function readTeamClientConfig(
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): TeamClientConfig | undefined {
  let file: Partial<TeamClientConfig> = {};
  try {
    file = parseTeamToml(readFileSync(join(cwd, '.lean-ctx', 'config.toml'), 'utf8'));
  } catch {
    // no config file: environment only
  }
  const server = env.LEANCTX_TEAM_SERVER ?? file.server;
  const token = env.LEANCTX_TEAM_TOKEN ?? file.token;
  if (!server) return undefined;
  if (!token)
    throw new Error('a team server is configured but no token: set LEANCTX_TEAM_TOKEN or [team] token');
  return { server: server.replace(/\/+$/, ''), token, workspace: env.LEANCTX_WORKSPACE ?? file.workspace };
}

/** Per-user data directory for local (non-team) use. */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'leanctx');
}
