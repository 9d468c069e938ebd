import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The smoke size of a benchmark is small inputs and a hard upper bound: a run still going
 * after this long is stopped (SIGTERM; the benches then stop their servers) and fails.
 */
const SMOKE_LIMIT_MS = 90_000;

/** Runs a bench script at smoke size; it exits non-zero when a request failed. */
async function smoke(name: string): Promise<string> {
  const started = Date.now();
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', `bench/${name}.ts`, '--smoke'], {
      cwd: root,
      timeout: SMOKE_LIMIT_MS,
      killSignal: 'SIGTERM',
    });
    return stdout;
  } catch (err) {
    const e = err as { killed?: boolean; stdout?: string; stderr?: string };
    if (e.killed) assert.fail(`bench/${name}.ts --smoke ran past ${SMOKE_LIMIT_MS / 1000} s and was stopped`);
    throw new Error(`bench/${name}.ts --smoke failed after ${Date.now() - started} ms:\n${e.stderr ?? ''}`);
  }
}

test('bench/http.ts --smoke exits 0 and prints a table with the bare, /health and tools/call rows', async () => {
  const out = await smoke('http');
  assert.match(out, /^\| target \| req\/s \|/m);
  assert.match(out, /^\| bare node:http `GET \/` \|/m);
  assert.match(out, /^\| leanctx `GET \/health` \|/m);
  assert.match(out, /^\| leanctx `POST \/v1\/tools\/call`/m);
});

test('bench/mcp.ts --smoke exits 0 and prints a table with the reference and leanctx rows', async () => {
  const out = await smoke('mcp');
  assert.match(out, /^\| target \| req\/s \|/m);
  assert.match(out, /^\| server-everything `echo` \|/m);
  assert.match(out, /^\| leanctx \/mcp `ctx_read`/m);
});

test('bench/read.ts --smoke exits 0 and compares our modes with repomix on real code', async () => {
  const out = await smoke('read');
  assert.match(out, /^\| ctx_read signatures \|/m);
  assert.match(out, /^\| repomix --compress \|/m);
});

test('bench/search.ts --smoke exits 0: ctx_search finds exactly what ripgrep finds', async () => {
  const out = await smoke('search');
  assert.match(out, /yes \/ yes \|$/m);
  assert.doesNotMatch(out, /\| no \//);
});

test('bench/tree.ts --smoke exits 0: ctx_tree answers in at most 0.3x the tokens of directory_tree', async () => {
  const out = await smoke('tree');
  assert.match(out, /worst ratio/);
});

test('bench/shell.ts --smoke exits 0: real command outputs compressed with no oracle loss, per family against head+tail', async () => {
  const out = await smoke('shell');
  assert.match(out, /^\| family \| outputs \| raw tokens \|/m);
  assert.match(out, /^\| git blame \| \d+ \|/m);
  assert.match(out, /^\| \*\*all\*\* \| \d+ \| \d+ \| \d+ \| \d+% \| \d+ \| \d+% \| .* \| 0 \/ \d+ \|$/m);
  assert.match(out, /ctx_shell overhead: direct p50 [\d.]+ ms/);
});
