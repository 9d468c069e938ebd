import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

let srv: RunningTestServer;
before(async () => {
  srv = await startTestServer();
});
after(() => srv.close());

const auditLines = () =>
  readFileSync(srv.auditPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { requestId: string; tool: string | null; deniedReason: string | null });

test('every answer over HTTP carries one x-request-id, the requestId of its audit line', async () => {
  const ok = await callTool(srv, 'alice', { name: 'ctx_read', arguments: { path: 'README.md' } });
  assert.equal(ok.status, 200);
  const refused = await srv.request('/v1/tools/call', { method: 'POST', body: '{}' });
  assert.equal(refused.status, 401);
  const missing = await srv.request('/nowhere', { as: 'alice' });
  assert.equal(missing.status, 404);
  const ids = [ok, refused, missing].map((r) => r.headers.get('x-request-id') ?? '');
  for (const id of ids) assert.match(id, /^[0-9a-f-]{36}$/);
  assert.equal(new Set(ids).size, 3);
  await srv.server.close();
  const lines = auditLines();
  assert.equal(lines.find((l) => l.requestId === ids[0])?.tool, 'ctx_read');
  assert.equal(lines.find((l) => l.requestId === ids[1])?.deniedReason, 'unauthorized');
});
