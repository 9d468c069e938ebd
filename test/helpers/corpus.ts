import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fetchCorpus } from '../../scripts/corpus.ts';

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
