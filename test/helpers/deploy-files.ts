import { readFileSync } from 'node:fs';

/** What the final stage of a Dockerfile says about how its container runs. */
export interface ImageSpec {
  entrypoint: string[];
  cmd: string[];
  env: Record<string, string>;
  workdir: string;
  user: string | undefined;
  expose: string[];
  volumes: string[];
  healthcheck: string[];
  /** Sources of `COPY` lines without `--from` (paths in the build context), every stage. */
  contextCopies: string[];
}

/** Instructions with their continuation lines joined; comments and blank lines dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const out: { op: string; args: string }[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    const m = /^(\S+)\s*(.*)$/s.exec(whole);
    if (m) out.push({ op: (m[1] as string).toUpperCase(), args: (m[2] as string).trim() });
  }
  return out;
}

function execForm(args: string, where: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args);
  } catch {
    throw new Error(`${where} is not in exec form (a JSON array): ${args}`);
  }
  if (!Array.isArray(parsed) || !parsed.every((a) => typeof a === 'string')) {
    throw new Error(`${where} must be a JSON array of strings: ${args}`);
  }
  return parsed;
}

/** Reads the Dockerfile's final stage (ENTRYPOINT and CMD must be in exec form). */
export function parseDockerfile(path: string): ImageSpec {
  const all = instructions(readFileSync(path, 'utf8'));
  const contextCopies = all
    .filter((i) => i.op === 'COPY' && !/--from=/.test(i.args))
    .flatMap((i) =>
      i.args
        .split(/\s+/)
        .filter((a) => !a.startsWith('--'))
        .slice(0, -1),
    );
  const lastFrom = all.map((i) => i.op).lastIndexOf('FROM');
  const spec: ImageSpec = {
    entrypoint: [],
    cmd: [],
    env: {},
    workdir: '/',
    user: undefined,
    expose: [],
    volumes: [],
    healthcheck: [],
    contextCopies,
  };
  for (const { op, args } of all.slice(lastFrom + 1)) {
    if (op === 'ENTRYPOINT') spec.entrypoint = execForm(args, 'ENTRYPOINT');
    else if (op === 'CMD') spec.cmd = execForm(args, 'CMD');
    else if (op === 'WORKDIR') spec.workdir = args;
    else if (op === 'USER') spec.user = args;
    else if (op === 'EXPOSE') spec.expose.push(...args.split(/\s+/));
    else if (op === 'VOLUME')
      spec.volumes.push(...(args.startsWith('[') ? execForm(args, 'VOLUME') : args.split(/\s+/)));
    else if (op === 'HEALTHCHECK') {
      const m = /\bCMD\s+(\[.*\])$/s.exec(args);
      if (!m) throw new Error(`HEALTHCHECK must use CMD in exec form: ${args}`);
      spec.healthcheck = execForm(m[1] as string, 'HEALTHCHECK CMD');
    } else if (op === 'ENV') {
      for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
        const value = m[2] as string;
        spec.env[m[1] as string] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
      }
    }
  }
  return spec;
}

/**
 * Compose's variable interpolation: `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?message}` (throws the message when unset or empty) and `$$` for a literal `$`.
 */
export function interpolate(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}/g,
    (whole, name: string | undefined, colon: string | undefined, kind: string | undefined, arg: string) => {
      if (whole === '$$') return '$';
      const v = env[name as string];
      const missing = colon ? v === undefined || v === '' : v === undefined;
      if (!missing) return v as string;
      if (kind === '-') return arg;
      if (kind === '?') throw new Error(`compose would refuse to start: ${name}: ${arg}`);
      return '';
    },
  );
}

/** Reads a `.env` file: KEY=VALUE lines, `#` comments. */
export function parseDotEnv(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m && !line.trim().startsWith('#'))
      env[m[1] as string] = (m[2] as string).replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** A short-syntax volume `SOURCE:TARGET[:MODE]`. */
export function parseVolume(spec: string): { source: string; target: string; readOnly: boolean } {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new Error(`volume "${spec}" is not SOURCE:TARGET[:MODE]`);
  return { source: parts[0] as string, target: parts[1] as string, readOnly: parts[2] === 'ro' };
}

/**
 * Maps container paths to host paths: the longest mapped prefix wins, and a path under no
 * mount is returned unchanged.
 */
export function createPathMap(mounts: Readonly<Record<string, string>>): (value: string) => string {
  const targets = Object.keys(mounts).sort((a, b) => b.length - a.length);
  return (value) => {
    for (const target of targets) {
      if (value === target) return mounts[target] as string;
      if (value.startsWith(`${target}/`)) return `${mounts[target]}${value.slice(target.length)}`;
    }
    return value;
  };
}

/** Applies `fn` to every string inside a JSON value. */
export function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}
