import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** A secret file that cannot be read: start-up stops with this message. */
export class SecretFileError extends Error {
  /** `from` names the reference: `{file:~/t}`, `--auth-token-file`. */
  constructor(path: string, from: string, reason: string) {
    super(`Cannot read secret file '${path}' (from ${from}): ${reason}`);
    this.name = 'SecretFileError';
  }
}

/** A secret file's text without its trailing newline; throws SecretFileError. */
export function readSecretFile(path: string, from: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new SecretFileError(path, from, reasonOf(err));
  }
}

/** `~` and `~/…` as the home directory (a path from a JSON client config never met a shell). */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** A `${VAR}` that names an unset environment variable. */
export class UnsetVariableError extends Error {
  readonly variable: string;

  constructor(variable: string) {
    super(`environment variable ${variable} is not set; export it or remove the \${${variable}} reference`);
    this.name = 'UnsetVariableError';
    this.variable = variable;
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

const FILE_REF = /\{file:((?:\$\{[^}]*\}|[^}])+)\}/g;
const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Drops the `, open '<path>'` tail node adds, so the message names the reason once. */
function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/, open '.*'$/, '');
}

function resolveSecretPath(ref: string, env: Env, platform: NodeJS.Platform): string | undefined {
  let path = ref;
  if (platform === 'win32') path = path.replace(/%([A-Za-z_][A-Za-z0-9_]*)%/g, (_m, name) => env[name] ?? '');
  path = expandHome(path);
  return isAbsolute(path) ? path : undefined;
}

/**
 * Expands `{file:/abs}` / `{file:~/p}` (secret files, trailing newline stripped) and then
 * `${VAR}` in the rest of the string. `${VAR}` inside a file path is not expanded, and a
 * relative file path is left as written.
 */
export function expandValue(value: string, env: Env, platform: NodeJS.Platform = process.platform): string {
  const pieces: string[] = [];
  let last = 0;
  for (const match of value.matchAll(FILE_REF)) {
    const ref = match[1] ?? '';
    const at = match.index ?? 0;
    pieces.push(expandVars(value.slice(last, at), env));
    const path = resolveSecretPath(ref, env, platform);
    pieces.push(path === undefined ? match[0] : readSecretFile(path, `{file:${ref}}`));
    last = at + match[0].length;
  }
  pieces.push(expandVars(value.slice(last), env));
  return pieces.join('');
}

function expandVars(text: string, env: Env): string {
  return text.replace(VAR_REF, (_m, name: string) => {
    const found = env[name];
    if (found === undefined) throw new UnsetVariableError(name);
    return found;
  });
}

/** Expands every value of a string record. */
export function expandRecord(
  record: Readonly<Record<string, string>> | undefined,
  env: Env,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) out[key] = expandValue(value, env);
  return out;
}
