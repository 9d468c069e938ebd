import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('bench/knowledge.ts --smoke exits 0 and compares ctx_knowledge recall with server-memory on the same facts', async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'bench/knowledge.ts', '--smoke'],
    {
      cwd: root,
      timeout: 120_000,
    },
  );
  assert.match(stdout, /^restored 1000 fact versions/m);
  assert.match(stdout, /^\| leanctx `ctx_knowledge recall` \| 1,000 \|/m);
  assert.match(stdout, /^\| server-memory `search_nodes` \| 1,000 \|/m);
});
