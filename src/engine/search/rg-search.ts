import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { rgPath } from '@vscode/ripgrep';
import { isSecretPath } from '../secrets.ts';
import { byPathThenLine, type SearchHit, type SearchOutcome, type SearchRequest } from './types.ts';

/** ripgrep could not run the pattern (its regex dialect refused it). */
export class RipgrepPatternError extends Error {}

/**
 * More hits than `maxHits`: ripgrep's threads report in any order, so the first `maxHits`
 * by path are unknown without reading everything; the caller answers from the index instead.
 */
export class RipgrepOverflow extends Error {}

interface RgText {
  text?: string;
  bytes?: string;
}

const textOf = (t: RgText | undefined): string =>
  t?.text ?? (t?.bytes ? Buffer.from(t.bytes, 'base64').toString('utf8') : '');

/**
 * The ignore rules ripgrep applies, narrowed to ours: .gitignore files from the root down
 * and .git/info/exclude, whether or not it is a git repo; nothing above the root, no
 * global excludes, no .ignore/.rgignore, no user config.
 */
export const RG_BASE_ARGS = [
  '--json',
  '--no-config',
  '--no-require-git',
  '--no-ignore-parent',
  '--no-ignore-global',
  '--no-ignore-dot',
  '--engine',
  'auto',
] as const;

/**
 * Spawns ripgrep over the workspace (the cold path: nothing cached yet). Hits come back in
 * thread order, so they are sorted here; secret-looking files are dropped from the answer.
 * Used for the whole root, or any subdirectory when gitignore is off (no parent rules apply).
 */
export async function ripgrepSearch(
  root: string,
  req: SearchRequest,
  exclude: readonly string[] = [],
): Promise<SearchOutcome> {
  const args: string[] = [...RG_BASE_ARGS];
  // Anchored at the root (the cwd), whatever path is searched; they win over --no-ignore.
  for (const rel of exclude) args.push('--glob', `!/${rel.replace(/[*?[\]{}\\!]/g, '\\$&')}`);
  if (req.ignoreGitignore) args.push('--no-ignore');
  if (req.ignoreCase) args.push('--ignore-case');
  for (const ext of req.exts) args.push('--glob', `*.${ext}`);
  args.push('--regexp', req.pattern, '--');
  if (req.path !== '') args.push(req.path);
  const child = spawn(rgPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], signal: req.signal });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done(code ?? 2));
  });
  exited.catch(() => {}); // awaited below; this only keeps an early throw from leaving it unhandled
  const hits: SearchHit[] = [];
  let filesSearched = 0;
  const secretFiles = new Set<string>();
  const lines = createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const msg = JSON.parse(line) as { type: string; data: Record<string, unknown> };
    if (msg.type === 'match') {
      const path = textOf(msg.data.path as RgText);
      if (isSecretPath(path)) {
        secretFiles.add(path);
        continue;
      }
      if (hits.length >= req.maxHits) {
        child.kill();
        throw new RipgrepOverflow(`more than ${req.maxHits} hits`);
      }
      const text = textOf(msg.data.lines as RgText).replace(/\r?\n$/, '');
      hits.push({ path, line: msg.data.line_number as number, text });
    } else if (msg.type === 'summary') {
      filesSearched = (msg.data.stats as { searches: number }).searches;
    }
  }
  const code = await exited;
  if (code === 2 && /regex parse error|error parsing|not allowed in a regex|PCRE2/i.test(stderr)) {
    throw new RipgrepPatternError(stderr.trim());
  }
  if (code !== 0 && code !== 1 && filesSearched === 0)
    throw new Error(`ripgrep failed (${code}): ${stderr.trim()}`);
  hits.sort(byPathThenLine);
  return { hits, complete: true, filesSearched, secretsSkipped: secretFiles.size, via: 'ripgrep' };
}
