import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { ObservatorySummary } from '../../src/observatory/summary.ts';
import { SERVERS } from '../helpers/gateway-servers.ts';
import { callTool, type RunningTestServer, SAMPLE_FILES, startTestServer } from '../helpers/team-server.ts';

/** A GET with gzip accepted, the body as sent (not decoded by fetch). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { 'accept-encoding': 'gzip', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('GET /v1/observatory/summary', () => {
  let srv: RunningTestServer;
  before(async () => {
    const profile = join(mkdtempSync(join(tmpdir(), 'obs-summary-')), 'team.toml');
    writeFileSync(profile, '[budget]\nmax_context_tokens = 100000\nalert_threshold = 0.8\n');
    srv = await startTestServer({
      files: SAMPLE_FILES,
      extraWorkspaces: [{ id: 'other', files: { 'a.md': '# other\n' } }],
      tokens: [
        { id: 'lead', role: 'admin' },
        { id: 'dev', role: 'developer' },
        { id: 'auditor', scopes: ['audit', 'search'], workspaces: ['other'] },
      ],
      config: { profile },
    });
  });
  after(() => srv.close());

  const summary = async (as: string, query = '') => {
    const res = await srv.request(`/v1/observatory/summary${query}`, { as });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as ObservatorySummary;
  };

  test('an empty server answers empty lists and zero totals', async () => {
    const s = await summary('lead');
    assert.equal(s.minutes, 30);
    assert.deepEqual(s.totals, { calls: 0, errors: 0, tokensSent: 0, tokensSaved: 0, savedPct: 0 });
    assert.deepEqual(s.activity, []);
    assert.deepEqual(s.errors, []);
    assert.deepEqual(s.budget.rows, []);
    assert.deepEqual(s.gateway, { configured: false, servers: [] });
  });

  test('calls, tool errors, refusals and budget use show up by tool, agent and code', async () => {
    for (const path of ['README.md', 'src/index.ts']) {
      const res = await callTool(srv, 'dev', { name: 'ctx_read', arguments: { path, mode: 'full' } });
      assert.equal(res.status, 200);
    }
    const missing = await callTool(srv, 'dev', { name: 'ctx_read', arguments: { path: 'nope.ts' } });
    assert.equal(((await missing.json()) as { result: { isError?: boolean } }).result.isError, true);
    assert.equal((await srv.request('/v1/observatory/summary', { as: 'dev' })).status, 403);
    assert.equal(
      (await srv.request('/v1/observatory/summary', { headers: { authorization: 'Bearer nope' } })).status,
      401,
    );

    const s = await summary('lead', '?minutes=5');
    assert.equal(s.minutes, 5);
    const reads = s.activity.filter((a) => a.tool === 'ctx_read' && a.agentId === 'dev');
    assert.equal(
      reads.reduce((n, a) => n + a.calls, 0),
      3,
    );
    assert.equal(
      reads.reduce((n, a) => n + a.errors, 0),
      1,
    );
    assert.equal(s.totals.calls, 3);
    assert.ok(s.totals.tokensSent > 0);
    assert.deepEqual(
      s.errors.map((e) => [e.code, e.recent, e.total]),
      [
        ['scope_denied', 1, 1],
        ['unauthorized', 1, 1],
      ],
    );
    assert.deepEqual(
      s.agents.map((a) => [a.agentId, a.calls]),
      [['dev', 3]],
    );
    const main = s.channels.find((c) => c.workspaceId === 'main' && c.channelId === 'main');
    assert.ok(main && main.revision > 0);
    const dev = s.budget.rows.find((r) => r.tokenId === 'dev');
    assert.ok(dev, 'dev has a budget row');
    assert.equal(dev.role, 'developer');
    assert.equal(dev.level, 'ok');
    assert.equal(dev.uses[0]?.budget, 'max_context_tokens');
    assert.equal(dev.uses[0]?.limit, 100000);
    assert.equal(dev.uses[0]?.used, dev.tokens);
  });

  test('a token limited to a workspace sees only that workspace', async () => {
    const s = await summary('auditor');
    assert.deepEqual(s.workspaces, ['other']);
    assert.deepEqual(s.activity, []);
    assert.ok(s.channels.every((c) => c.workspaceId === 'other'));
    assert.deepEqual(s.budget.rows, []);
  });

  test('a bad minutes value is a 400 naming the parameter', async () => {
    const res = await srv.request('/v1/observatory/summary?minutes=abc', { as: 'lead' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: string; error_code: string };
    assert.equal(body.error_code, 'invalid_request');
    assert.match(body.error, /minutes must be an integer from 1 to 60/);
  });

  test('the summary and the page files are gzipped when the client accepts it', async () => {
    const json = await rawGet(`${srv.url}/v1/observatory/summary`, {
      authorization: `Bearer ${srv.tokens.lead}`,
    });
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-encoding'], 'gzip');
    assert.equal(JSON.parse(gunzipSync(json.body).toString('utf8')).minutes, 30);
    for (const file of ['', '/app.js', '/style.css', '/uplot.js', '/uplot.css']) {
      const res = await rawGet(`${srv.url}/observatory${file}`, {});
      assert.equal(res.status, 200, file);
      assert.equal(res.headers['content-encoding'], 'gzip', file);
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      assert.ok(gunzipSync(res.body).length > res.body.length, `${file} is smaller compressed`);
    }
    const unknown = await srv.request('/observatory/secrets.json');
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error_code: string }).error_code, 'not_found');
  });
});

describe('GET /v1/observatory/summary with downstream servers', () => {
  test("lists the gateway's servers the token may see, with their state after real use", async () => {
    const srv = await startTestServer({
      tokens: [
        { id: 'lead', role: 'admin' },
        { id: 'ops', scopes: ['gateway', 'search'] },
      ],
      config: { servers: [SERVERS.memory, SERVERS.fixture()] },
    });
    try {
      const before = (await (
        await srv.request('/v1/observatory/summary', { as: 'lead' })
      ).json()) as ObservatorySummary;
      assert.equal(before.gateway.configured, true);
      assert.deepEqual(
        before.gateway.servers.map((s) => [s.name, s.running]),
        [
          ['memory', false],
          ['fixture', false],
        ],
      );
      const listed = await callTool(srv, 'ops', { name: 'list_commands', arguments: { server: 'memory' } });
      assert.equal(listed.status, 200);
      const after = (await (
        await srv.request('/v1/observatory/summary', { as: 'lead' })
      ).json()) as ObservatorySummary;
      const memory = after.gateway.servers.find((s) => s.name === 'memory');
      assert.equal(memory?.running, true);
      assert.equal(memory?.type, 'local');
      assert.ok((memory?.toolCount ?? 0) > 0, 'the started server reports its tools');
    } finally {
      await srv.close();
    }
  });
});
