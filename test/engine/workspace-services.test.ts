import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createWorkspace, defineWorkspaceService } from '../../src/engine/workspace.ts';

const workspaceAt = (id: string) =>
  createWorkspace({
    id,
    root: mkdtempSync(join(tmpdir(), 'ws-root-')),
    dataDir: mkdtempSync(join(tmpdir(), 'ws-data-')),
  });

test('a workspace service is created on first use, once per workspace, and closed with its workspace', async () => {
  const created: string[] = [];
  const closed: string[] = [];
  const counterOf = defineWorkspaceService('counter', (ws) => {
    created.push(ws.id);
    return { n: 0, close: () => void closed.push(ws.id) };
  });
  const a = workspaceAt('a');
  const b = workspaceAt('b');
  assert.deepEqual(created, []);
  counterOf(a).n++;
  counterOf(a).n++;
  assert.equal(a.use(counterOf).n, 2, 'the accessor and use() reach the same instance');
  assert.equal(counterOf(b).n, 0);
  assert.deepEqual(created, ['a', 'b']);
  await a.close();
  assert.deepEqual(closed, ['a']);
  await b.close();
  assert.deepEqual(closed, ['a', 'b']);
});

test('two services with the same label are still two services: the key is the service, not a name', () => {
  const first = defineWorkspaceService('cache', () => ({ which: 'first' }));
  const second = defineWorkspaceService('cache', () => ({ which: 'second' }));
  const ws = workspaceAt('w');
  assert.equal(first(ws).which, 'first');
  assert.equal(second(ws).which, 'second');
});
