import type { GraphProgress } from '../engine/graph/code-graph.ts';
import type { Workspace } from '../engine/workspace.ts';
import { graphOf } from '../tools/graph/graph-of.ts';
import type { CliIo } from './cli-error.ts';

/** A CLI build waits this long at most; a larger workspace goes on at the next query. */
const CLI_BUILD_BUDGET_MS = 60 * 60_000;
const TTY_TICK_MS = 200;
/** Without a terminal: a line every this often, so a CI log shows it moving without flooding. */
const PLAIN_TICK_MS = 2_000;
const BAR_WIDTH = 24;

const n = (v: number) => v.toLocaleString('en-US');
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

/** `[#######.........] 1,234/13,635 files  512 files/s  ETA 24 s` (the bar only on a terminal). */
export function progressLine(p: GraphProgress, elapsedMs: number, bar: boolean): string {
  const whole = p.toParse ?? 0;
  const done = Math.min(p.checked ?? 0, whole);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 && whole > done ? `ETA ${seconds(((whole - done) / rate) * 1000)}` : 'ETA —';
  const share = whole > 0 ? done / whole : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const head = bar ? `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ` : '';
  if (whole === 0) return `${head}scanning files…`;
  return `${head}${n(done)}/${n(whole)} files (${Math.round(share * 100)}%)  ${Math.round(rate)} files/s  ${eta}`;
}

/**
 * Brings the workspace's code graph up to date (what changed since the last build; everything
 * with `full`), showing progress: a redrawn bar on a terminal, plain lines otherwise.
 */
export async function buildGraphWithProgress(
  workspace: Workspace,
  io: CliIo,
  opts: { tty: boolean; full?: boolean; label?: string },
): Promise<GraphProgress & { ms: number }> {
  const graph = graphOf(workspace);
  const started = Date.now();
  const label = opts.label ? `${opts.label}: ` : '';
  let lastPlain = '';
  const tick = () => {
    const line = progressLine(graph.status(), Date.now() - started, opts.tty);
    if (opts.tty) io.err(`\r\x1b[2K${label}${line}`);
    else if (line !== lastPlain) {
      io.out(`${label}${line}\n`);
      lastPlain = line;
    }
  };
  const timer = setInterval(tick, opts.tty ? TTY_TICK_MS : PLAIN_TICK_MS);
  try {
    const progress = await graph.rebuild(opts.full === true, CLI_BUILD_BUDGET_MS);
    if (!opts.tty) tick(); // the last count, once
    return { ...progress, ms: Date.now() - started };
  } finally {
    clearInterval(timer);
    if (opts.tty) io.err('\r\x1b[2K');
  }
}

/** `indexed 13,611 files (842 parsed) in 12.3 s; 24 skipped` */
export function builtLine(p: GraphProgress & { ms: number }): string {
  const skipped = p.skipped > 0 ? `; ${n(p.skipped)} skipped (binary, huge or generated)` : '';
  const running = p.building ? '; still building, queries answer from the indexed part' : '';
  return `indexed ${n(p.indexed)} files (${n(p.parsed)} parsed) in ${seconds(p.ms)}${skipped}${running}`;
}
