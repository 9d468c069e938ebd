import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

test('bench/sessions.ts --smoke exits 0: every agent sees every write once and no update is lost', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/sessions.ts', '--smoke'], {
    cwd: root,
    timeout: 90_000,
  });
  assert.match(stdout, /^\| steady 50\/s \| 8 \|/m);
  assert.match(stdout, /^\| as fast as answered \| 8 \|/m);
  assert.match(stdout, /zero lost updates: yes/);
});
