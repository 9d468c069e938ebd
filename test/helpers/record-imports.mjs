// `node --import ./record-imports.mjs` with RECORD_IMPORTS=<file>: appends the URL of every
// module the process resolves through `import` (off-thread loader hook) and, at exit, every
// file in the CommonJS cache, one per line. Tests read the file to see what a command loaded.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';

let out;

/** Loader hook: runs in the hooks thread with the file given to register(). */
export function initialize(data) {
  out = data.file;
}

/** Loader hook: records the resolved URL of every import. */
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(out, `${resolved.url}\n`);
  return resolved;
}

const file = process.env.RECORD_IMPORTS;
if (isMainThread && file && out === undefined) {
  register(import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    const urls = Object.keys(cache).map((path) => pathToFileURL(path).href);
    appendFileSync(file, urls.map((u) => `${u}\n`).join(''));
  });
}
