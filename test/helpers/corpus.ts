import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

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

/** The small real-code corpus (zod, rich, prometheus client), fetched once into .corpus/small. */
export function smallCorpus(): string {
  return fetchCorpus('small');
}

/** Every file under `dir` with one of the extensions, relative to `dir`, sorted. */
export function listFiles(dir: string, exts: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (abs: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(abs, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (exts.some((e) => entry.name.endsWith(e))) out.push(relative(dir, full));
    }
  };
  visit(dir);
  return out.sort();
}
