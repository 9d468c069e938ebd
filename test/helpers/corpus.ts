import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const FETCH = '/work/shared/corpus/fetch.sh';

/** The small real-code corpus (zod, rich, prometheus client), fetched once into .corpus/small. */
export function smallCorpus(): string {
  const dest = resolve('.corpus/small');
  if (!existsSync(join(dest, 'npm')) || !existsSync(join(dest, 'deb'))) {
    execFileSync('bash', [FETCH, '--size', 'small', dest], { stdio: 'ignore' });
  }
  return dest;
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
