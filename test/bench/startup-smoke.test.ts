import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assertFreshDist } from '../helpers/cli.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

test('bench/startup.ts --smoke exits 0 and prints the floor, the reference and our three rows with RSS', async () => {
  assertFreshDist();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/startup.ts', '--smoke'], {
    cwd: root,
    timeout: 120_000,
  });
  assert.match(stdout, /^\| command \| until \| median ms \|/m);
  for (const row of ['`node -e 0`, the floor', 'server-everything over stdio', '`lean-ctx --version`']) {
    assert.ok(stdout.includes(`| ${row} (this env) |`), row);
  }
  // MCP rows carry a tools/list time and three RSS figures.
  assert.match(
    stdout,
    /^\| `lean-ctx mcp` \(local mode\) \(this env\) \| `initialize` answer( \| [\d.]+){2}×( \| [\d.]+){5} \|/m,
  );
  assert.match(stdout, /^\| `lazy-mcp`, one server configured \(this env\) \| `initialize` answer/m);
});
