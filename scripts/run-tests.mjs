#!/usr/bin/env node
// Builds dist/ (the bins the tests spawn run it), then runs node's test runner over an
// explicit file list: on Node 20 a directory argument silently runs nothing.
// `npm test -- test/foo.test.ts` runs only the files given.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildDist } from './build.mjs';

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'fixtures' && name !== 'node_modules') out.push(...findTests(full));
    } else if (name.endsWith('.test.ts')) {
      out.push(full);
    }
  }
  return out;
}

const given = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = (given.length > 0 ? given : findTests('test')).sort();
if (files.length === 0) {
  console.error('run-tests: no *.test.ts files found under test/');
  process.exit(1);
}
await buildDist();
// The timeout bounds each file as a whole; the packed-tarball test's `npm install` of ~160
// packages alone takes 30-60 s on this machine, more under load.
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...flags, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
