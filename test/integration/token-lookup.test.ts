import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

let srv: RunningTestServer;
before(async () => {
  srv = await startTestServer({
    tokens: [
      { id: 'alice', role: 'admin' },
      { id: 'bob', scopes: ['search'] },
    ],
  });
});
after(() => srv.close());

const manifestAs = (secret: string) =>
  fetch(`${srv.url}/v1/manifest`, { headers: { authorization: `Bearer ${secret}` } });

const withTokens = (edit: (tokens: Record<string, unknown>[]) => Record<string, unknown>[]) => {
  const cfg = srv.server.deps.state.config();
  return srv.server.reload({
    ...cfg,
    tokens: edit(cfg.tokens as Record<string, unknown>[]) as typeof cfg.tokens,
  });
};

test('among hundreds of tokens each secret authenticates as its own token', async () => {
  const many = Array.from({ length: 300 }, (_, i) => ({
    id: `agent-${i}`,
    secret: createTokenSecret(`agent-${i}`),
  }));
  await withTokens((tokens) => [
    ...tokens,
    ...many.map((t) => ({ id: t.id, sha256Hex: sha256Hex(t.secret), scopes: ['search'] })),
  ]);
  for (const t of [many[0], many[150], many[299]]) {
    const res = await manifestAs(t!.secret);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { token: { id: string } }).token.id, t!.id);
  }
});

test('a revoked token is refused on the next request, though it authenticated a moment before', async () => {
  assert.equal((await manifestAs(srv.tokens.bob!)).status, 200);
  await withTokens((tokens) =>
    tokens.map((t) => (t.id === 'bob' ? { ...t, revokedAt: new Date().toISOString() } : t)),
  );
  const res = await manifestAs(srv.tokens.bob!);
  assert.equal(res.status, 401);
  assert.equal(((await res.json()) as { error_code: string }).error_code, 'unauthorized');
});

test('a token re-issued with new scopes: the old secret is refused, the new one has the new scopes', async () => {
  const old = srv.tokens.alice!;
  assert.equal((await callTool(srv, 'alice', { name: 'ctx_tree' })).status, 200);
  const reissued = createTokenSecret('alice');
  await withTokens((tokens) =>
    tokens.map((t) =>
      t.id === 'alice' ? { id: 'alice', sha256Hex: sha256Hex(reissued), scopes: ['events'] } : t,
    ),
  );
  assert.equal((await manifestAs(old)).status, 401);
  const res = await fetch(`${srv.url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${reissued}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ctx_tree' }),
  });
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { error_code: string }).error_code, 'scope_denied');
  const manifest = (await (await manifestAs(reissued)).json()) as { token: { scopes: string[] } };
  assert.deepEqual(manifest.token.scopes, ['events']);
});
