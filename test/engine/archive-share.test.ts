import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createArchive } from '../../src/engine/archive.ts';
import type { ArchiveEntry, ArchiveStore } from '../../src/store/archives.ts';

/** An in-memory shared store that can be made to fail, counting its writes. */
function memoryStore() {
  const rows = new Map<string, ArchiveEntry>();
  const state = { down: false, puts: 0 };
  const store: ArchiveStore = {
    async put(ws, entry) {
      if (state.down) throw new Error('store down');
      state.puts++;
      if (!rows.has(`${ws}/${entry.meta.id}`)) rows.set(`${ws}/${entry.meta.id}`, entry);
    },
    async get(ws, id) {
      return rows.get(`${ws}/${id}`);
    },
    async list(ws, limit) {
      return [...rows.entries()]
        .filter(([k]) => k.startsWith(`${ws}/`))
        .map(([, e]) => e.meta)
        .slice(0, limit);
    },
    async prune() {
      return 0;
    },
  };
  return { store, rows, state };
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'leanctx-archive-'));

test('a shared archive reaches the store at flush; a failed write is kept and written by the next flush', async () => {
  const { store, rows, state } = memoryStore();
  const a = createArchive(tempDir(), 'main');
  a.shareTo(store);
  const first = a.put('one\ntwo', 'ctx_tree', '.', { countTokens: false });
  await a.flush();
  assert.equal(rows.get(`main/${first.id}`)?.text, 'one\ntwo');

  state.down = true;
  const second = a.put('three', 'ctx_shell', 'ls', { countTokens: false });
  await assert.rejects(a.flush(), /store down/);
  assert.equal(rows.has(`main/${second.id}`), false);
  state.down = false;
  await a.flush();
  assert.equal(rows.get(`main/${second.id}`)?.text, 'three', 'retried by the next flush');

  const before = state.puts;
  a.put('one\ntwo', 'ctx_tree', '.', { countTokens: false });
  await a.flush();
  assert.equal(state.puts, before, 'an archive the store already holds is not written again');
});

test('another replica (its own dir) reads an archive from the store; without sharing nothing is kept for a flush', async () => {
  const { store } = memoryStore();
  const a = createArchive(tempDir(), 'main');
  a.shareTo(store);
  const meta = a.put('made on a', 'ctx_search', 'pat', { countTokens: false });
  await a.flush();
  const b = createArchive(tempDir(), 'main');
  assert.equal(await b.get(meta.id), undefined, 'not sharing: only its own files');
  b.shareTo(store);
  assert.equal((await b.get(meta.id))?.text, 'made on a');
  assert.deepEqual(
    (await b.list()).map((m) => m.id),
    [meta.id],
  );
  const other = createArchive(tempDir(), 'other');
  other.shareTo(store);
  assert.equal(await other.get(meta.id), undefined, 'another workspace does not see it');

  const { store: second, state } = memoryStore();
  const c = createArchive(tempDir(), 'main');
  c.put('before sharing', 'ctx_tree', '.', { countTokens: false });
  c.shareTo(second);
  await c.flush();
  assert.equal(state.puts, 0, 'puts made before shareTo are not queued');
});
