import { spawn } from 'node:child_process';
import { loadTeamConfig } from '../config/team-config.ts';
import { CliError, type CliIo } from './cli-error.ts';

export interface ObservatoryOptions {
  open?: boolean;
  config?: string;
  server?: string;
}

/** How long `--open` waits for the opener to say it failed; a browser that starts keeps running. */
const OPENER_WAIT_MS = 3000;
const PROBE_TIMEOUT_MS = 3000;

/** The page's URL: from `--server`, else from team.json's host and port (a wildcard bind means loopback). */
export function observatoryUrl(opts: ObservatoryOptions): string {
  if (opts.server !== undefined) {
    let base: URL;
    try {
      base = new URL(opts.server);
    } catch {
      throw new CliError(`--server "${opts.server}" is not a URL; give one like http://127.0.0.1:9877`, 2);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new CliError(`--server must be an http:// or https:// URL, got "${opts.server}"`, 2);
    }
    return new URL('observatory', base.href.endsWith('/') ? base.href : `${base.href}/`).href;
  }
  const cfg = loadTeamConfig(opts.config ?? 'team.json');
  const host = cfg.host === '0.0.0.0' || cfg.host === '::' || cfg.host === '' ? '127.0.0.1' : cfg.host;
  const shown = host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${cfg.port}/observatory`;
}

/** The platform's "open this URL" command. */
function openerFor(platform: NodeJS.Platform, url: string): { cmd: string; args: string[] } {
  if (platform === 'darwin') return { cmd: 'open', args: [url] };
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""', url] };
  return { cmd: 'xdg-open', args: [url] };
}

/** Runs the opener; resolves to a sentence saying why it did not open, or undefined when it did. */
function openInBrowser(url: string): Promise<string | undefined> {
  const { cmd, args } = openerFor(process.platform, url);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (why: string | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(why);
    };
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', (err: NodeJS.ErrnoException) =>
      settle(
        err.code === 'ENOENT'
          ? `no browser opener (${cmd}) on this machine`
          : `${cmd} could not start: ${err.message}`,
      ),
    );
    child.on('exit', (code) => settle(code === 0 ? undefined : `${cmd} found no browser (exit ${code})`));
    const timer = setTimeout(() => settle(undefined), OPENER_WAIT_MS);
    timer.unref();
    child.unref();
  });
}

/** Whether the page answers there; a sentence saying why not, else undefined. */
async function probe(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await res.body?.cancel();
    if (res.ok) return undefined;
    return `${url} answered ${res.status}; is this a leanctx team server of this version?`;
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    return `nothing answers at ${url} (${cause}); start the server with \`lean-ctx team serve\``;
  }
}

/**
 * `lean-ctx observatory`: prints the dashboard's URL, says whether the server answers, and
 * with `--open` hands it to the default browser. A machine without a browser is not an
 * error: the URL is printed either way.
 */
export async function runObservatory(opts: ObservatoryOptions, io: CliIo): Promise<number> {
  if (opts.server !== undefined && opts.config !== undefined) {
    throw new CliError('give either --config or --server, not both', 2);
  }
  const url = observatoryUrl(opts);
  io.out(`${url}\n`);
  const down = await probe(url);
  if (down) {
    io.err(`lean-ctx: ${down}\n`);
    return 1;
  }
  io.err(
    'sign in with a token that has the audit and events scopes (lean-ctx team token create --role admin)\n',
  );
  if (opts.open) {
    const why = await openInBrowser(url);
    io.err(why ? `lean-ctx: ${why}; open the URL above yourself\n` : 'opened in the default browser\n');
  }
  return 0;
}
