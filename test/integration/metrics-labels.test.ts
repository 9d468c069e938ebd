import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callTool, startTestServer } from '../helpers/team-server.ts';

test('unknown tool names never become metric labels: they count under tool="unknown"', async () => {
  const srv = await startTestServer({
    tokens: [
      { id: 'alice', role: 'admin' },
      { id: 'events-only', scopes: ['events'] },
    ],
  });
  try {
    for (let i = 0; i < 40; i++) {
      const name = `x${i}_${'A'.repeat(4000)}`;
      const res = await callTool(srv, 'events-only', { name });
      assert.equal(res.status, 404);
    }
    const res = await srv.request('/v1/metrics?format=prometheus', { as: 'alice' });
    const text = await res.text();
    assert.doesNotMatch(text, /AAAA/, 'no client-chosen name is a label value');
    assert.match(text, /leanctx_tool_calls_total\{tool="unknown",outcome="unknown_tool"\} 40/);
    assert.ok(text.length < 100_000, `the scrape stays small (${text.length} bytes)`);
  } finally {
    await srv.close();
  }
});
