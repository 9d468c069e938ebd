import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

const run = promisify(execFile);
const writer = fileURLToPath(new URL('../helpers/session-writer.ts', import.meta.url));

test('three processes writing one session and one task at once: every write gets its own revision, none is lost', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'leanctx-multi-')), 'leanctx.db');
  const store = createSqliteStore(file);
  const task = await store.tasks.create({
    id: 't_shared',
    workspaceId: 'main',
    channelId: 'multi',
    from: 'test',
    to: undefined,
    description: 'count the writes',
    state: 'working',
    createdAt: new Date().toISOString(),
    messages: [],
  });
  const perProcess = 150;
  const names = ['p1', 'p2', 'p3'];
  const outputs = await Promise.all(
    names.map((name) =>
      run(process.execPath, ['--import', 'tsx', writer, file, name, String(perProcess), task.id], {
        timeout: 120_000,
      }),
    ),
  );
  for (const o of outputs) assert.equal(o.stdout.trim(), 'done');

  const session = await store.sessions.get('main', 'multi');
  assert.equal(session.revision, names.length * perProcess);
  assert.deepEqual(
    session.entries.map((e) => e.revision),
    Array.from({ length: 200 }, (_, i) => names.length * perProcess - 199 + i),
    'the newest 200 findings are kept, one per revision',
  );
  const final = await store.tasks.get('main', task.id);
  assert.equal(final?.revision, 1 + names.length * perProcess);
  assert.equal(final?.messages.length, names.length * perProcess, 'no message lost to a concurrent update');
  for (const name of names) {
    const mine: string[] = final?.messages.filter((m) => m.agent === name).map((m) => m.text) ?? [];
    assert.deepEqual(
      mine,
      Array.from({ length: perProcess }, (_, i) => `${name} ${i}`),
      `${name} in its order`,
    );
  }
  await store.close();
});

test('an agent joins once however many callers race to announce it, and leaves once when idle', async () => {
  const store = createSqliteStore(':memory:');
  const arrival = {
    workspaceId: 'w',
    channelId: 'c',
    name: 'cursor',
    tokenId: 't',
    ts: '2026-01-01T00:00:00.000Z',
  };
  const joins = await Promise.all(Array.from({ length: 20 }, () => store.agents.arrive(arrival)));
  assert.equal(joins.filter((j) => j.joined).length, 1);
  assert.deepEqual(await store.agents.expire('2025-12-31T00:00:00.000Z'), []);
  const left = await store.agents.expire('2026-01-01T00:10:00.000Z');
  assert.deepEqual(
    left.map((a) => [a.name, a.status]),
    [['cursor', 'left']],
  );
  assert.deepEqual(await store.agents.expire('2026-01-01T00:10:00.000Z'), [], 'announced once');
  assert.equal((await store.agents.arrive({ ...arrival, ts: '2026-01-01T01:00:00.000Z' })).joined, true);
  await store.close();
});
