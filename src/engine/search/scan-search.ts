import { readFile } from 'node:fs/promises';
import { isSecretPath } from '../secrets.ts';
import { walkFiles } from '../walker.ts';
import { createPacer } from '../workers/pacer.ts';
import type { CompiledPattern } from './compile-pattern.ts';
import { decodeForSearch } from './file-entry.ts';
import { matchLinesPaced } from './match-lines.ts';
import type { SearchHit, SearchOutcome, SearchRequest } from './types.ts';

const BATCH = 32;

/** Searches a list of root-relative files in order, reading a batch at a time. */
export async function scanFiles(
  root: string,
  files: readonly string[],
  pattern: CompiledPattern,
  req: SearchRequest,
): Promise<SearchOutcome> {
  const hits: SearchHit[] = [];
  let complete = true;
  let secretsSkipped = 0;
  const pacer = createPacer(req.signal);
  for (let i = 0; i < files.length && complete; i += BATCH) {
    req.signal?.throwIfAborted();
    const batch = files.slice(i, i + BATCH);
    const texts = await Promise.all(
      batch.map(async (rel) => {
        if (isSecretPath(rel)) {
          secretsSkipped++;
          return undefined;
        }
        const buf = await readFile(`${root}/${rel}`).catch(() => undefined);
        return buf ? decodeForSearch(buf) : undefined;
      }),
    );
    for (let k = 0; k < batch.length && complete; k++) {
      const text = texts[k];
      if (text === undefined) continue;
      const onHit = (line: number, lineText: string) => {
        if (hits.length >= req.maxHits) {
          complete = false;
          return false;
        }
        hits.push({ path: batch[k]!, line, text: lineText });
        return true;
      };
      await matchLinesPaced(text, pattern, onHit, pacer, undefined, req.maxHits - hits.length);
    }
  }
  return { hits, complete, filesSearched: files.length, secretsSkipped, via: 'scan' };
}

/** Walks and searches a subtree in-process: the cold path when ripgrep cannot apply our rules. */
export async function scanSearch(
  root: string,
  pattern: CompiledPattern,
  req: SearchRequest,
  exclude?: readonly string[],
): Promise<SearchOutcome> {
  const { files } = await walkFiles(root, req.path, {
    respectGitignore: !req.ignoreGitignore,
    signal: req.signal,
    exclude,
  });
  const exts = req.exts.map((e) => `.${e}`);
  const wanted = exts.length === 0 ? files : files.filter((f) => exts.some((e) => f.endsWith(e)));
  return scanFiles(root, wanted, pattern, req);
}
