import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const WRITER = fileURLToPath(new URL('../fixtures/store-writer.ts', import.meta.url));

function runWriter(file: string, name: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, file, name, String(count)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${name} exited ${code}: ${err}`)),
    );
  });
}

test('four processes writing one key and one budget at once lose nothing and fork no history', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'store-race-')), 'leanctx.db');
  createSqliteStore(file).close();
  const writers = ['w1', 'w2', 'w3', 'w4'];
  const perWriter = 40;
  await Promise.all(writers.map((w) => runWriter(file, w, perWriter)));

  const store = createSqliteStore(file);
  try {
    const versions = await store.knowledge.history('main', { category: 'race', key: 'winner' }, 1000);
    assert.equal(versions.length, writers.length * perWriter, 'every write is a version');
    const current = versions.filter((f) => f.supersededBy === null);
    assert.equal(current.length, 1, 'exactly one current value');
    // one chain: from the current value back to the first, each version closed by exactly one successor
    const byId = new Map(versions.map((f) => [f.id, f]));
    const seen = new Set<number>();
    for (let f = current[0]; f; f = f.supersedes === null ? undefined : byId.get(f.supersedes)) {
      assert.ok(!seen.has(f.id));
      seen.add(f.id);
      if (f.supersedes !== null) {
        const prev = byId.get(f.supersedes);
        assert.equal(prev?.supersededBy, f.id);
        assert.equal(prev?.validUntil, f.validFrom);
      }
    }
    assert.equal(seen.size, versions.length, 'no version is left out of the chain');
    for (const w of writers) {
      assert.equal(versions.filter((f) => f.source === w).length, perWriter, `${w}'s writes are all there`);
    }
    const totals = await store.budgets.totals('shared', '2000-01-01');
    assert.deepEqual(
      { calls: totals.calls, tokens: totals.tokens },
      { calls: writers.length * perWriter, tokens: 7 * writers.length * perWriter },
    );
  } finally {
    await store.close();
  }
});
