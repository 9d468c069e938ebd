import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertFreshDist } from '../helpers/cli.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

test('the build writes one .js and one source map per source file, and no import in dist names a .ts file', () => {
  assertFreshDist();
  const sources = filesUnder(join(ROOT, 'src')).filter((f) => f.endsWith('.ts'));
  const expected = sources.flatMap((f) => [f.replace(/\.ts$/, '.js'), f.replace(/\.ts$/, '.js.map')]);
  assert.deepEqual(filesUnder(join(ROOT, 'dist')).sort(), expected.sort());
  const tsImports = expected
    .filter((f) => f.endsWith('.js'))
    .flatMap((f) =>
      [
        ...readFileSync(join(ROOT, 'dist', f), 'utf8').matchAll(
          /(?:from|import)\s*\(?\s*["'](\.[^"']*\.ts)["']/g,
        ),
      ].map((m) => `${f}: ${m[1]}`),
    );
  assert.deepEqual(tsImports, []);
  // Source maps carry the sources, so a stack trace maps to src/ without shipping it.
  const map = JSON.parse(readFileSync(join(ROOT, 'dist/main.js.map'), 'utf8')) as {
    sourcesContent: string[];
  };
  assert.equal(map.sourcesContent[0], readFileSync(join(ROOT, 'src/main.ts'), 'utf8'));
});
