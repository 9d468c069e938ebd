import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadFile } from '../../src/engine/read/load-file.ts';
import { createWorkspace } from '../../src/engine/workspace.ts';

test('a re-read sees every rewrite, even one of the same size, and an atomic replace', async () => {
  const root = mkdtempSync(join(tmpdir(), 'load-'));
  const ws = createWorkspace({ id: 'w', root, dataDir: mkdtempSync(join(tmpdir(), 'load-data-')) });
  writeFileSync(join(root, 'a.txt'), 'aaaa\n');
  assert.equal((await loadFile(ws, 'a.txt', 'wholeBytes')).text, 'aaaa\n');
  assert.equal((await loadFile(ws, 'a.txt', 'wholeBytes')).text, 'aaaa\n', 'unchanged: served again');
  for (const next of ['bbbb\n', 'cccc\n', 'dddd\n']) {
    writeFileSync(join(root, 'a.txt'), next);
    assert.equal((await loadFile(ws, 'a.txt', 'wholeBytes')).text, next);
  }
  writeFileSync(join(root, 'a.tmp'), 'eeee\n');
  renameSync(join(root, 'a.tmp'), join(root, 'a.txt'));
  const replaced = await loadFile(ws, 'a.txt', 'wholeBytes');
  assert.equal(replaced.text, 'eeee\n');
  assert.equal(replaced.rel, 'a.txt');
  await ws.close();
});
