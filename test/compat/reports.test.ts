import assert from 'node:assert/strict';
import { linkSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { callToolText, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** A TypeScript file whose signatures are much smaller than its bodies, so a map read saves tokens. */
function source(functions: number): string {
  return Array.from(
    { length: functions },
    (_, i) =>
      `export function step${i}(input: number[], weight: number): number {\n  let total = 0;\n` +
      `  for (const value of input) {\n    total += value * weight + ${i};\n  }\n  return total;\n}\n`,
  ).join('\n');
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function getJson<T>(
  srv: RunningTestServer,
  path: string,
  as: string,
  headers: Record<string, string> = {},
) {
  const res = await srv.request(path, { as, headers });
  return { status: res.status, body: (await res.json()) as T };
}

/** Polls until `check` holds: usage and events are recorded just after a call answers. */
async function eventually<T>(read: () => Promise<T>, check: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`condition not met; last value: ${JSON.stringify(v).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

type Summary = {
  workspaceId: string;
  channelId: string;
  totalEvents: number;
  latestVersion: number;
  activeAgents: string[];
  recentDecisions: { agent: string; tool: string; action: string | null }[];
  knowledgeDelta: { category: string; key: string; agent: string }[];
  conflictAlerts: { category: string; key: string; agents: string[] }[];
  eventCountsByKind: Record<string, number>;
};

describe('GET /v1/context/summary', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'bob', role: 'member' },
        { id: 'outsider', role: 'viewer', workspaces: ['other'] },
      ],
      extraWorkspaces: [{ id: 'other', files: { 'x.txt': 'x\n' } }],
    });
    const remember = (as: string, value: string) =>
      callToolText(
        srv,
        as,
        'ctx_knowledge',
        { action: 'remember', category: 'arch', key: 'db', value },
        undefined,
        'plan',
      );
    await remember('alice', 'SQLite');
    await remember('bob', 'PostgreSQL');
    await callToolText(
      srv,
      'alice',
      'ctx_session',
      { action: 'decision', value: 'use WAL' },
      undefined,
      'plan',
    );
  });
  after(() => srv.close());

  test('summarises a channel: agents, decisions, knowledge writes and a conflict when two agents wrote one key', async () => {
    const { status, body } = await eventually(
      () => getJson<Summary>(srv, '/v1/context/summary?channelId=plan', 'bob'),
      (r) => (r.body.eventCountsByKind.tool_call_recorded ?? 0) >= 3,
    );
    assert.equal(status, 200);
    assert.equal(body.workspaceId, 'main');
    assert.equal(body.channelId, 'plan');
    assert.deepEqual(body.activeAgents, ['alice', 'bob']);
    assert.deepEqual(
      body.knowledgeDelta.map((k) => [k.category, k.key, k.agent]),
      [
        ['arch', 'db', 'alice'],
        ['arch', 'db', 'bob'],
      ],
    );
    assert.deepEqual(body.conflictAlerts, [{ category: 'arch', key: 'db', agents: ['alice', 'bob'] }]);
    assert.deepEqual(
      body.recentDecisions.map((d) => [d.agent, d.tool, d.action]),
      [
        ['alice', 'ctx_knowledge', 'remember'],
        ['bob', 'ctx_knowledge', 'remember'],
        ['alice', 'ctx_session', 'decision'],
      ],
    );
    const counted = Object.values(body.eventCountsByKind).reduce((a, b) => a + b, 0);
    assert.equal(counted, body.totalEvents);
    assert.equal(body.latestVersion, body.totalEvents, 'every event of the channel is in the default window');
  });

  test('limit keeps the newest events; the main channel and the header workspace are the defaults', async () => {
    const { body } = await getJson<Summary>(srv, '/v1/context/summary?channelId=plan&limit=1', 'alice');
    assert.equal(body.totalEvents, 1);
    assert.ok(body.latestVersion > 1);
    const main = await getJson<Summary>(srv, '/v1/context/summary', 'alice');
    assert.equal(main.body.channelId, 'main');
    assert.equal(main.body.totalEvents, 0, 'nothing happened on main');
    const other = await getJson<Summary>(srv, '/v1/context/summary', 'outsider', {
      'x-leanctx-workspace': 'other',
    });
    assert.equal(other.body.workspaceId, 'other');
    const viaQuery = await getJson<Summary>(srv, '/v1/context/summary?workspaceId=other', 'outsider');
    assert.equal(viaQuery.body.workspaceId, 'other');
  });

  test('workspace rules and bad input are the usual errors', async () => {
    const denied = await getJson<{ error_code: string }>(srv, '/v1/context/summary', 'outsider');
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'workspace_denied');
    const unknown = await getJson<{ error_code: string }>(
      srv,
      '/v1/context/summary?workspaceId=nope',
      'alice',
    );
    assert.equal(unknown.body.error_code, 'unknown_workspace');
    const bad = await getJson<{ error_code: string; error: string }>(
      srv,
      '/v1/context/summary?limit=-3',
      'alice',
    );
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /limit/);
    const clamped = await getJson<Summary>(srv, '/v1/context/summary?channelId=plan&limit=99999', 'alice');
    assert.equal(clamped.status, 200);
  });
});

type Savings = {
  member_count: number;
  totals: { saved_tokens: number; net_saved_tokens: number; saved_usd: number; total_events: number };
  by_member: {
    signer: string;
    agent_id: string;
    saved_tokens: number;
    total_events: number;
    last_reported: string;
  }[];
  by_model: { model: string; saved_tokens: number; saved_usd: number }[];
  by_tool: { tool: string; saved_tokens: number }[];
  series: { date: string; net_saved_tokens: number; total_events: number }[];
  window_days: number;
};

describe('savings, storage and usage reports', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'bob', role: 'member' },
        { id: 'auditor-other', scopes: ['audit', 'search'], workspaces: ['other'] },
      ],
      files: { 'src/big.ts': source(30), 'src/small.ts': source(4) },
      extraWorkspaces: [{ id: 'other', files: { 'src/o.ts': source(10) } }],
    });
  });
  after(() => srv.close());

  test('the savings summary adds up what each agent saved, per tool, with a daily series ending today', async () => {
    await callToolText(srv, 'alice', 'ctx_read', { path: 'src/big.ts', mode: 'map' });
    await callToolText(srv, 'bob', 'ctx_read', { path: 'src/small.ts', mode: 'signatures' });
    await callToolText(srv, 'bob', 'ctx_tree', {});
    const { status, body } = await eventually(
      () => getJson<Savings>(srv, '/v1/savings/summary', 'alice'),
      (r) => r.body.totals.total_events >= 3,
    );
    assert.equal(status, 200);
    assert.equal(body.member_count, 2);
    assert.equal(body.totals.total_events, 3);
    const saved = body.by_member.reduce((n, m) => n + m.saved_tokens, 0);
    assert.ok(saved > 0, 'map and signatures reads save tokens');
    assert.equal(body.totals.saved_tokens, saved);
    assert.equal(body.totals.net_saved_tokens, saved);
    const alice = body.by_member.find((m) => m.agent_id === 'alice');
    const bob = body.by_member.find((m) => m.agent_id === 'bob');
    assert.equal(alice?.total_events, 1);
    assert.equal(bob?.total_events, 2);
    assert.equal(alice?.signer, 'alice');
    assert.ok(
      body.by_member[0] && body.by_member[0].saved_tokens >= (body.by_member[1]?.saved_tokens ?? 0),
      'sorted',
    );
    assert.equal(
      body.by_tool.reduce((n, t) => n + t.saved_tokens, 0),
      saved,
    );
    assert.deepEqual(
      body.by_model.map((m) => m.saved_tokens),
      [saved],
    );
    assert.ok((body.by_model[0]?.saved_usd ?? 0) > 0, 'priced at the profile model');
    assert.equal(body.totals.saved_usd, body.by_model[0]?.saved_usd);
    assert.equal(body.window_days, 90);
    const last = body.series.at(-1);
    assert.equal(last?.date, dayOf(Date.now()));
    assert.equal(last?.net_saved_tokens, saved);
    assert.equal(last?.total_events, 3);
  });

  test('the series carries what was saved before the window and adds each day after it', async () => {
    const store = srv.server.deps.store.usage;
    const row = (daysAgo: number, tokensSaved: number) =>
      store.record({
        ts: new Date(Date.now() - daysAgo * DAY_MS).toISOString(),
        workspaceId: 'other',
        agentId: 'carol',
        contextId: undefined,
        tool: 'ctx_read',
        tokensSent: 10,
        tokensSaved,
        durationMs: 1,
        isError: false,
      });
    await row(200, 1000);
    await row(10, 500);
    const { body } = await getJson<Savings>(srv, '/v1/savings/member/carol', 'auditor-other');
    assert.equal(body.series.length, 90);
    assert.equal(body.series[0]?.net_saved_tokens, 1000, 'the window starts from what came before it');
    const jump = body.series.findIndex((p) => p.net_saved_tokens === 1500);
    assert.equal(body.series[jump]?.date, dayOf(Date.now() - 10 * DAY_MS));
    assert.equal(body.series[jump - 1]?.net_saved_tokens, 1000);
    assert.equal(body.series.at(-1)?.total_events, 2);
    assert.deepEqual(body.by_tool, [{ tool: 'ctx_read', saved_tokens: 1500 }]);
  });

  test('a token limited to some workspaces sees only their usage', async () => {
    const { body } = await getJson<Savings>(srv, '/v1/savings/summary', 'auditor-other');
    assert.deepEqual(
      body.by_member.map((m) => m.agent_id),
      ['carol'],
    );
    const none = await getJson<{ error_code: string }>(srv, '/v1/savings/member/alice', 'auditor-other');
    assert.equal(none.status, 404, "alice's calls were in main, which this token cannot see");
  });

  test('member drilldown: 404 for an agent without calls, 400 for an id that cannot be one', async () => {
    const alice = await getJson<{ agent_id: string; totals: { total_events: number } }>(
      srv,
      '/v1/savings/member/alice',
      'alice',
    );
    assert.equal(alice.status, 200);
    assert.equal(alice.body.totals.total_events, 1);
    const unknown = await getJson<{ error_code: string; error: string }>(
      srv,
      '/v1/savings/member/nobody',
      'alice',
    );
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'not_found');
    assert.match(unknown.body.error, /nobody/);
    const bad = await getJson<{ error_code: string }>(srv, `/v1/savings/member/${'x'.repeat(65)}`, 'alice');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error_code, 'invalid_request');
  });

  test('the reports need the audit scope, as in the original', async () => {
    for (const path of ['/v1/savings/summary', '/v1/savings/member/alice', '/v1/storage', '/v1/usage']) {
      const res = await getJson<{ error_code: string; required: string[] }>(srv, path, 'bob');
      assert.equal(res.status, 403, path);
      assert.equal(res.body.error_code, 'scope_denied');
      assert.deepEqual(res.body.required, ['audit']);
    }
  });

  test('storage counts the data dir and the audit log, a hard link once and no symlink target', async () => {
    const dataDir = srv.server.deps.state.config().dataDir;
    const big = join(dataDir, 'extra', 'blob.bin');
    mkdirSync(join(dataDir, 'extra'), { recursive: true });
    writeFileSync(big, Buffer.alloc(1 << 20, 1));
    linkSync(big, join(dataDir, 'extra', 'blob-link.bin'));
    const outside = join(srv.dir, 'outside.bin');
    writeFileSync(outside, Buffer.alloc(4 << 20, 2));
    symlinkSync(outside, join(dataDir, 'extra', 'outside-link.bin'));
    const { status, body } = await getJson<{
      usedBytes: number;
      quotaBytes: number;
      components: { id: string; bytes: number }[];
      cacheAgeSeconds: number;
    }>(srv, '/v1/storage', 'alice');
    assert.equal(status, 200);
    assert.deepEqual(
      body.components.map((c) => c.id),
      ['server-data', 'audit-log'],
    );
    const data = body.components[0]?.bytes ?? 0;
    assert.ok(data >= 1 << 20, `the 1 MB file is counted (${data})`);
    assert.ok(data < 2 << 20, `its hard link and the 4 MB symlink target are not (${data})`);
    assert.ok((body.components[1]?.bytes ?? 0) > 0, 'the audit log has lines');
    assert.equal(body.usedBytes, data + (body.components[1]?.bytes ?? 0));
    assert.equal(body.quotaBytes, 0, 'no storageQuotaBytes: no quota');
    assert.equal(body.cacheAgeSeconds, 0);

    const usage = await getJson<{
      savings: { memberCount: number; savedTokens: number; netSavedTokens: number; savedUsd: number };
      toolCalls: number;
      storage: { used_bytes: number; quota_bytes: number };
    }>(srv, '/v1/usage', 'alice');
    const summary = await getJson<Savings>(srv, '/v1/savings/summary', 'alice');
    assert.equal(usage.body.savings.memberCount, summary.body.member_count);
    assert.equal(usage.body.savings.savedTokens, summary.body.totals.saved_tokens);
    assert.equal(usage.body.savings.savedUsd, summary.body.totals.saved_usd);
    assert.equal(usage.body.toolCalls, summary.body.totals.total_events);
    assert.equal(usage.body.storage.used_bytes, body.usedBytes, 'the same (cached) measurement');
  });
});

describe('storageQuotaBytes', () => {
  test('is reported by /v1/storage and /v1/usage', async () => {
    const srv = await startTestServer({ config: { storageQuotaBytes: 5_368_709_120 } });
    try {
      const storage = await getJson<{ quotaBytes: number }>(srv, '/v1/storage', 'alice');
      assert.equal(storage.body.quotaBytes, 5_368_709_120);
      const usage = await getJson<{ storage: { quota_bytes: number } }>(srv, '/v1/usage', 'alice');
      assert.equal(usage.body.storage.quota_bytes, 5_368_709_120);
    } finally {
      await srv.close();
    }
  });
});
