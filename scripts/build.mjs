#!/usr/bin/env node
// Compiles src/**/*.ts one-to-one into dist/**/*.js with source maps (no bundling: worker
// entry files stay files of their own). Imports in src name `.ts` files; every relative
// import is rewritten to `.js`, every other import is left to Node. `npm run build`,
// `prepare` (npm ci, npm pack, install from git) and `npm test` run it.
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const srcDir = join(root, 'src');
const outDir = join(root, 'dist');

function listFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

const relativeTs = /^\.{1,2}\/.*\.ts$/;

/** Leaves every import outside the build; relative `.ts` specifiers become `.js`. */
const oneToOne = {
  name: 'one-to-one',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const path = relativeTs.test(args.path) ? `${args.path.slice(0, -'.ts'.length)}.js` : args.path;
      return { path, external: true };
    });
  },
};

async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch (err) {
    throw new Error(
      `build: esbuild is not installed (${err.code ?? err.message}); it is a dev dependency: run \`npm ci\` with dev dependencies, build, then \`npm prune --omit=dev\` if you need a lean node_modules`,
    );
  }
}

/** Builds dist/ from src/; resolves to the number of files written. */
export async function buildDist() {
  const { build } = await loadEsbuild();
  const entryPoints = listFiles(srcDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const result = await build({
    absWorkingDir: root,
    entryPoints,
    outbase: srcDir,
    outdir: outDir,
    bundle: true,
    plugins: [oneToOne],
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    metafile: true,
  });
  const outputs = new Set(Object.keys(result.metafile.outputs).map((f) => join(root, f)));
  const written = [...outputs].filter((f) => f.endsWith('.js')).length;
  if (written !== entryPoints.length) {
    throw new Error(`build: ${entryPoints.length} sources but ${written} outputs`);
  }
  // Files of deleted sources go; dist/ itself stays, for processes already running from it.
  for (const file of listFiles(outDir)) if (!outputs.has(file)) rmSync(file);
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const n = await buildDist().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
  const ms = Math.round(performance.now() - t0);
  console.error(
    `build: ${n} files from ${relative(root, srcDir)}/ to ${relative(root, outDir)}/ in ${ms} ms`,
  );
}
