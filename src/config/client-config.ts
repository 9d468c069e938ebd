import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from './config-error.ts';

/** Where a developer's `lean-ctx mcp` sends its calls: a team server, or nowhere (local). */
export interface TeamClientConfig {
  server: string;
  token: string;
  workspace: string | undefined;
}

const TEAM_KEYS = ['server', 'token', 'workspace'] as const;
type TeamKey = (typeof TEAM_KEYS)[number];

/** The 1-based line that sets `key` inside `[team]`, for messages; undefined when not found. */
function lineOf(text: string, key: string): number | undefined {
  let inTeam = false;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? '';
    if (line.startsWith('[')) inTeam = /^\[\s*team\s*\]/.test(line);
    else if (inTeam && new RegExp(`^["']?${key.replace(/\W/g, '\\$&')}["']?\\s*=`).test(line)) return i + 1;
  }
  return undefined;
}

/**
 * The `[team]` table of .lean-ctx/config.toml (`file` names it in errors). Other tables
 * are left to other tools; inside `[team]` only server, token and workspace, as strings.
 */
export function parseTeamToml(text: string, file: string): Partial<TeamClientConfig> {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const what = err.message.replace(/^Invalid TOML document: /, '').split('\n')[0];
    throw new ConfigError(`${file}:${err.line}:${err.column}`, [`${what}\n${err.codeblock.trimEnd()}`]);
  }
  const team = doc.team;
  if (team === undefined) return {};
  if (typeof team !== 'object' || team === null || Array.isArray(team)) {
    throw new ConfigError(file, ['team: must be a table, [team] with server, token and workspace']);
  }
  const out: Partial<Record<TeamKey, string>> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(team)) {
    const at = lineOf(text, key);
    const where = `${at ? `line ${at}: ` : ''}[team].${key}`;
    if (!(TEAM_KEYS as readonly string[]).includes(key)) {
      problems.push(`${where}: unknown key; [team] takes ${TEAM_KEYS.join(', ')}`);
    } else if (typeof value !== 'string' || value === '') {
      problems.push(`${where}: must be a non-empty string in quotes`);
    } else {
      out[key as TeamKey] = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(file, problems);
  return out;
}

/** An http(s) URL without a trailing slash, or a ConfigError naming `source`. */
function parseServerUrl(raw: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(source, [`"${raw}" is not an http(s) URL, e.g. "http://your-server:9877"`]);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * The team connection from the environment (LEANCTX_TEAM_SERVER, LEANCTX_TEAM_TOKEN,
 * LEANCTX_WORKSPACE), else `.lean-ctx/config.toml` in `cwd`; undefined when neither names a server.
 */
export function readTeamClientConfig(
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): TeamClientConfig | undefined {
  const path = join(cwd, '.lean-ctx', 'config.toml');
  let text: string | undefined;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    // no config file: environment only
  }
  const file = text === undefined ? {} : parseTeamToml(text, path);
  const fromEnv = env.LEANCTX_TEAM_SERVER !== undefined;
  const server = env.LEANCTX_TEAM_SERVER ?? file.server;
  const token = env.LEANCTX_TEAM_TOKEN ?? file.token;
  if (!server) return undefined;
  if (!token)
    throw new Error('a team server is configured but no token: set LEANCTX_TEAM_TOKEN or [team] token');
  return {
    server: parseServerUrl(server, fromEnv ? 'LEANCTX_TEAM_SERVER' : `${path}: [team].server`),
    token,
    workspace: env.LEANCTX_WORKSPACE ?? file.workspace,
  };
}

/**
 * The local data directory of one project root: `$XDG_STATE_HOME/leanctx/<hash>` (default
 * `~/.local/state`), where `<hash>` is the first 16 hex digits of the SHA-256 of the root's
 * real path. Two editor windows on two repositories never share an index or a database.
 */
export function localDataDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  let real = resolve(root);
  try {
    real = realpathSync(real);
  } catch {
    // a root that does not exist yet keeps its resolved path
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  // the XDG spec ignores a relative value
  const state =
    env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)
      ? env.XDG_STATE_HOME
      : join(homedir(), '.local', 'state');
  return join(state, 'leanctx', hash);
}
