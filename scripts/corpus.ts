import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** shared/corpus/fetch.sh beside the checkout (how CI and every developer machine lay it out). */
export function corpusFetchScript(): string {
  const candidates = [join(REPO_ROOT, '../shared/corpus/fetch.sh'), '/work/shared/corpus/fetch.sh'];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`corpus fetch script not found; looked at ${candidates.join(', ')}`);
  return found;
}

/** A pinned real-code corpus, fetched once into the git-ignored .corpus/<size>. */
export function fetchCorpus(size: 'small' | 'large'): string {
  const dest = join(REPO_ROOT, '.corpus', size);
  if (!existsSync(join(dest, 'npm')) || !existsSync(join(dest, 'deb'))) {
    try {
      execFileSync('bash', [corpusFetchScript(), '--size', size, dest], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (err) {
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
      throw new Error(`fetching the ${size} corpus failed: ${stderr.split('\n').slice(-5).join('\n')}`);
    }
  }
  return dest;
}
