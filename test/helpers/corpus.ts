import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const FETCH = '/work/shared/corpus/fetch.sh';

/**
 * The small real-code corpus (zod, rich, client_golang; 513 files), fetched on first use
 * into the git-ignored `.corpus/small`; later calls reuse it.
 */
export function smallCorpus(): string {
  const dest = resolve('.corpus/small');
  if (!existsSync(join(dest, 'npm')) || !existsSync(join(dest, 'deb'))) {
    execFileSync('bash', [FETCH, '--size', 'small', dest], { stdio: 'ignore', timeout: 120_000 });
  }
  return dest;
}
