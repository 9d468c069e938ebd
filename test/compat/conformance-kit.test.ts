import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CHECK_ROUTES, type Check, runConformanceKit } from '../helpers/conformance-kit.ts';
import { type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** `METHOD /path` of what the app serves, in OpenAPI spelling. */
function servedRoutes(srv: RunningTestServer): Set<string> {
  return new Set(
    srv.server.app.routes
      .filter((r) => r.method !== 'ALL')
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
  );
}

/**
 * Every check whose route the server serves must pass. A check of a route not served (yet)
 * must fail with a 404, so the kit is seen to probe it; once the route is served it must pass.
 */
function assertScorecard(checks: Check[], served: Set<string>): void {
  assert.equal(checks.length, 14, 'the kits have 14 checks');
  assert.deepEqual(
    checks.map((c) => c.name),
    Object.keys(CHECK_ROUTES),
  );
  for (const check of checks) {
    if (served.has(CHECK_ROUTES[check.name])) {
      assert.ok(check.passed, `${check.name}: ${check.detail}`);
    } else {
      assert.equal(
        check.passed,
        false,
        `${check.name} passed though ${CHECK_ROUTES[check.name]} is not served`,
      );
      assert.match(check.detail, /HTTP 404/, check.name);
    }
  }
  const passed = checks.filter((c) => c.passed).length;
  assert.ok(passed >= 12, `at least the 12 checks of routes served here pass (${passed})`);
}

describe('the lean-ctx SDK conformance kit against a real server', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'limited', role: 'viewer', workspaces: ['other'] },
      ],
      extraWorkspaces: [{ id: 'other', files: { 'a.txt': 'a\n' } }],
    });
  });
  after(() => srv.close());

  test('an admin token passes every check of a route this server serves', async () => {
    const checks = await runConformanceKit({ baseUrl: srv.url, bearerToken: srv.tokens.alice });
    assertScorecard(checks, servedRoutes(srv));
  });

  test('a client configured with a workspace (header, body and query) passes the same checks', async () => {
    const checks = await runConformanceKit({
      baseUrl: `${srv.url}/`,
      bearerToken: srv.tokens.alice,
      workspaceId: 'other',
    });
    assertScorecard(checks, servedRoutes(srv));
  });

  test('route_coverage fails on a document that advertises routes the SDKs lack', async () => {
    const checks = await runConformanceKit({
      baseUrl: srv.url,
      bearerToken: srv.tokens.alice,
      openapiPath: '/v1/openapi.json?surface=all',
    });
    const coverage = checks.find((c) => c.name === 'route_coverage');
    assert.equal(coverage?.passed, false);
    assert.match(coverage?.detail ?? '', /GET \/v1\/audit/);
    assert.match(coverage?.detail ?? '', /POST \/mcp/);
  });

  test('without a token only /health and the error contract (a 401 with error_code) pass', async () => {
    const checks = await runConformanceKit({ baseUrl: srv.url });
    assert.deepEqual(
      checks.filter((c) => c.passed).map((c) => c.name),
      ['health', 'tool_call_error_contract'],
    );
    const manifest = checks.find((c) => c.name === 'manifest_shape');
    assert.match(manifest?.detail ?? '', /HTTP 401/);
    const unauthenticated = await fetch(`${srv.url}/v1/tools/call`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'definitely_not_a_tool_conformance_probe' }),
    });
    assert.equal(unauthenticated.status, 401);
    assert.equal(((await unauthenticated.json()) as { error_code: string }).error_code, 'unauthorized');
  });

  test('a viewer limited to one workspace fails only the checks its scopes refuse (events, metrics)', async () => {
    const checks = await runConformanceKit({
      baseUrl: srv.url,
      bearerToken: srv.tokens.limited,
      workspaceId: 'other',
    });
    const failed = checks.filter((c) => !c.passed && servedRoutes(srv).has(CHECK_ROUTES[c.name]));
    assert.deepEqual(
      failed.map((c) => c.name),
      ['events_stream', 'events_search_shape', 'event_lineage_shape', 'metrics_shape'],
    );
    for (const c of failed) assert.match(c.detail, /HTTP 403.*scope/);
  });
});
