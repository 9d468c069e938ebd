import { spawnSync } from 'node:child_process';
import { rgPath } from '@vscode/ripgrep';
import { RG_BASE_ARGS } from '../src/engine/search/rg-search.ts';

/**
 * `path:line` of every hit plain ripgrep reports under `root`, with ctx_search's ignore
 * rules, sorted: the reference set the search tests and the search bench compare with.
 */
export function ripgrepKeys(root: string, pattern: string, extra: readonly string[] = []): string[] {
  const out = spawnSync(
    rgPath,
    [...RG_BASE_ARGS.filter((a) => a !== '--json'), '-n', '--no-heading', ...extra, '-e', pattern],
    { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => /^(.*?):(\d+):/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `${m[1]}:${m[2]}`)
    .sort();
}
