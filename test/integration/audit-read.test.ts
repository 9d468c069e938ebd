import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTool, startTestServer } from '../helpers/team-server.ts';

test('GET /v1/audit shows a workspace-limited token only the lines of its workspaces', async () => {
  const srv = await startTestServer({
    tokens: [
      { id: 'alice', role: 'admin' },
      { id: 'main-auditor', scopes: ['audit', 'search'], workspaces: ['main'] },
    ],
    extraWorkspaces: [{ id: 'other', files: { 'x.txt': 'x' } }],
  });
  try {
    await callTool(srv, 'alice', { name: 'ctx_tree' }, { 'x-workspace': 'other' });
    await callTool(srv, 'alice', { name: 'ctx_tree' }, { 'x-workspace': 'main' });
    await srv.request('/v1/manifest'); // a 401 outside any workspace
    const all = (await (await srv.request('/v1/audit', { as: 'alice' })).json()) as {
      entries: { workspaceId: string | null }[];
    };
    assert.ok(all.entries.some((e) => e.workspaceId === 'other'));
    const limited = (await (await srv.request('/v1/audit', { as: 'main-auditor' })).json()) as {
      entries: { workspaceId: string | null }[];
    };
    assert.ok(limited.entries.length > 0);
    assert.deepEqual([...new Set(limited.entries.map((e) => e.workspaceId))], ['main']);
  } finally {
    await srv.close();
  }
});
