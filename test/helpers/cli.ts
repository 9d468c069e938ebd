import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LEAN_CTX_BIN = fileURLToPath(new URL('../../bin/lean-ctx.js', import.meta.url));
export const LAZY_MCP_BIN = fileURLToPath(new URL('../../bin/lazy-mcp.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let distChecked = false;

/** The bins run dist/: a test must not spawn a build older than src/ (`npm test` builds first). */
export function assertFreshDist(): void {
  if (distChecked) return;
  const src = join(ROOT, 'src');
  for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = join(entry.parentPath, entry.name);
    const built = join(ROOT, 'dist', relative(src, file)).replace(/\.ts$/, '.js');
    const builtMs = statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? -1;
    if (builtMs < statSync(file).mtimeMs) {
      throw new Error(`${relative(ROOT, built)} is missing or older than its source: run \`npm run build\``);
    }
  }
  distChecked = true;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `lean-ctx ARGS` to completion. */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  assertFreshDist();
  const r = spawnSync(process.execPath, [LEAN_CTX_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface ServingProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout or stderr contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<string>;
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts a long-running `lean-ctx` command (serve) and collects its output. */
export function startCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {},
): ServingProcess {
  assertFreshDist();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), LEAN_CTX_BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of waiters) w();
  };
  child.stdout?.on('data', (c: Buffer) => {
    out += c.toString();
    poke();
  });
  child.stderr?.on('data', (c: Buffer) => {
    err += c.toString();
    poke();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(text, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const all = out + err;
          const hit = typeof text === 'string' ? all.includes(text) : text.test(all);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(all);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${String(text)}; output so far:\n${out}\n${err}`));
        }, timeoutMs);
        waiters.add(check);
        check();
        void exited.then(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`process exited before ${String(text)}; output:\n${out}\n${err}`));
          }
        });
      });
    },
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
