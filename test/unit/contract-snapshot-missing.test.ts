import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs only the "metric names" contract test against snapshots in `dir`. */
function runContract(dir: string, env: Record<string, string> = {}) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  // the child is a test run of its own, not a subtest reporting to this runner
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.UPDATE_CONTRACT;
  Object.assign(childEnv, { CONTRACT_DIR: dir }, env);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-name-pattern=^metric names$', 'test/unit/contract.test.ts'],
    { cwd: REPO, env: childEnv, encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('the contract test fails on a missing snapshot, naming the file and how to create it, and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const run = runContract(dir);
  assert.notEqual(run.status, 0, run.out);
  assert.match(
    run.out,
    /contract snapshot .*metrics\.txt is missing; create it with UPDATE_CONTRACT=1 npm test/,
  );
  assert.deepEqual(readdirSync(dir), []);
});

test('UPDATE_CONTRACT=1 writes the snapshot, and the next plain run passes against it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-'));
  const update = runContract(dir, { UPDATE_CONTRACT: '1' });
  assert.equal(update.status, 0, update.out);
  assert.deepEqual(readdirSync(dir), ['metrics.txt']);
  const plain = runContract(dir);
  assert.equal(plain.status, 0, plain.out);
});
