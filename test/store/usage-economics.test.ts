import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { costReport, gainReport, heatmap } from '../../src/reports/economics.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store, UsageRecord } from '../../src/store/types.ts';

const ROWS = 200_000;
const DAY_MS = 86_400_000;
const NOW = Date.parse('2026-06-30T12:00:00Z');
const PRICING = { model: 'claude-sonnet-4', usdPerMillionTokens: 3 };
const WORKSPACES = ['ws-a', 'ws-b', 'ws-c'];
const AGENTS = ['alice', 'bob', 'carol', 'dave'];
const TOOLS = ['ctx_read', 'ctx_search', 'ctx_tree', 'ctx_multi_read'];
const FILES = ['src/a.ts', 'src/b.ts', 'src/deep/c.ts', 'lib/d.ts', 'README.md'];

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

type Row = UsageRecord & { ts: string; tokensRaw: number };

function makeRows(count: number, seed: number): Row[] {
  const pick = random(seed);
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const tool = TOOLS[pick(TOOLS.length)] as string;
    const reads = tool === 'ctx_read' || tool === 'ctx_multi_read';
    const sent = 10 + pick(500);
    // some answers are bigger than the raw file (a footer on a tiny file): they save nothing
    const raw = reads || pick(2) === 0 ? sent + pick(2000) - 50 : 0;
    const isError = pick(50) === 0;
    rows.push({
      ts: new Date(NOW - pick(60) * DAY_MS - pick(DAY_MS)).toISOString(),
      workspaceId: WORKSPACES[pick(WORKSPACES.length)] as string,
      agentId: AGENTS[pick(AGENTS.length)] as string,
      contextId: undefined,
      tool,
      tokensSent: sent,
      tokensRaw: Math.max(0, raw),
      tokensSaved: Math.max(0, raw - sent + 7),
      durationMs: pick(100),
      isError,
      path: reads ? FILES[pick(FILES.length)] : undefined,
    });
  }
  return rows;
}

/** The model: the same sums, straight from the generated rows. */
function expected(rows: readonly Row[], keep: (r: Row) => boolean) {
  const byTool = new Map<
    string,
    { calls: number; sent: number; raw: number; saved: number; errors: number }
  >();
  const byPath = new Map<string, { reads: number; sent: number; raw: number }>();
  for (const r of rows) {
    if (!keep(r)) continue;
    const t = byTool.get(r.tool) ?? { calls: 0, sent: 0, raw: 0, saved: 0, errors: 0 };
    t.calls++;
    t.sent += r.tokensSent;
    t.raw += r.tokensRaw;
    t.saved += Math.max(0, r.tokensRaw - r.tokensSent);
    t.errors += r.isError ? 1 : 0;
    byTool.set(r.tool, t);
    if (r.path !== undefined && !r.isError) {
      const p = byPath.get(r.path) ?? { reads: 0, sent: 0, raw: 0 };
      p.reads++;
      p.sent += r.tokensSent;
      p.raw += r.tokensRaw;
      byPath.set(r.path, p);
    }
  }
  return { byTool, byPath };
}

describe('the economics queries over 200,000 usage rows', () => {
  let dir: string;
  let store: Store;
  let rows: Row[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leanctx-econ-'));
    store = createSqliteStore(join(dir, 'store.db'));
    rows = makeRows(ROWS, 12);
    // one write batch: the store commits the burst in a single transaction
    await Promise.all(rows.map((r) => store.usage.record(r)));
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const period of ['all', 'week', 'month'] as const) {
    test(`gain over ${period} matches the rows, per tool and in total`, async () => {
      const days = period === 'week' ? 7 : 30;
      const since = new Date(NOW - (days - 1) * DAY_MS).toISOString().slice(0, 10);
      const model = expected(
        rows,
        (r) => r.workspaceId !== 'ws-c' && (period === 'all' || r.ts.slice(0, 10) >= since),
      );
      const report = await gainReport(store, { workspaceIds: ['ws-a', 'ws-b'], period, nowMs: NOW }, PRICING);
      assert.ok(report.totals.calls > 0, 'the window holds rows');
      assert.equal(report.byTool.length, model.byTool.size);
      for (const t of report.byTool) {
        const m = model.byTool.get(t.tool);
        assert.deepEqual(
          { calls: t.calls, sent: t.tokensSent, raw: t.tokensRaw, saved: t.tokensSaved, errors: t.errors },
          m,
          t.tool,
        );
      }
      const calls = [...model.byTool.values()].reduce((n, t) => n + t.calls, 0);
      assert.equal(report.totals.calls, calls);
      assert.equal(
        report.byDay.reduce((n, d) => n + d.calls, 0),
        calls,
        'the daily series adds up to the total',
      );
    });
  }

  for (const period of ['all', 'month'] as const) {
    test(`the heatmap over ${period} counts successful reads per file of a workspace and sums them into directories`, async () => {
      const since = new Date(NOW - 29 * DAY_MS).toISOString().slice(0, 10);
      const model = expected(
        rows,
        (r) => r.workspaceId === 'ws-a' && (period === 'all' || r.ts.slice(0, 10) >= since),
      );
      const sinceTs = period === 'all' ? undefined : `${since}T00:00:00.000Z`;
      const map = await heatmap(store, { workspaceIds: ['ws-a'], sinceTs, limit: 50 });
      assert.equal(map.files.length, FILES.length);
      for (const f of map.files) {
        assert.equal(f.workspaceId, 'ws-a');
        assert.deepEqual(
          { reads: f.reads, sent: f.tokensSent, raw: f.tokensRaw },
          model.byPath.get(f.path),
          f.path,
        );
      }
      const sumUnder = (dir: string) =>
        [...model.byPath].filter(([p]) => p.startsWith(`${dir}/`)).reduce((n, [, p]) => n + p.reads, 0);
      assert.deepEqual(
        map.dirs.map((d) => [d.path, d.reads]),
        [
          ['src', sumUnder('src')],
          ['lib', sumUnder('lib')],
          ['src/deep', sumUnder('src/deep')],
        ].sort((a, b) => (b[1] as number) - (a[1] as number) || String(a[0]).localeCompare(String(b[0]))),
      );
      const sorted = [...map.files].sort((a, b) => b.reads - a.reads || a.path.localeCompare(b.path));
      assert.deepEqual(map.files, sorted, 'most read first');
      const top2 = await heatmap(store, { workspaceIds: ['ws-a'], sinceTs, limit: 2 });
      assert.deepEqual(top2.files, map.files.slice(0, 2));
      const under = await heatmap(store, { workspaceIds: ['ws-a'], sinceTs, limit: 50, under: 'src' });
      assert.deepEqual(
        under.files.map((f) => f.path),
        map.files.map((f) => f.path).filter((p) => p.startsWith('src/')),
      );
    });
  }

  test('over every workspace, the same path in two workspaces is two heatmap rows', async () => {
    const map = await heatmap(store, { workspaceIds: undefined, limit: 100 });
    assert.equal(map.files.length, FILES.length * WORKSPACES.length);
    assert.equal(new Set(map.files.map((f) => `${f.workspaceId}:${f.path}`)).size, map.files.length);
  });

  test('the roll-ups agree with a GROUP BY over the raw usage table', async () => {
    const db = new Database(join(dir, 'store.db'), { readonly: true });
    try {
      const raw = db
        .prepare<[], { agentId: string; tool: string; calls: number; saved: number }>(
          'SELECT agent_id AS agentId, tool, COUNT(*) AS calls, SUM(tokens_saved) AS saved FROM usage GROUP BY 1, 2 ORDER BY 1, 2',
        )
        .all();
      const rollup = await store.usage.rollup({ workspaceIds: undefined, sinceDay: '2000-01-01' });
      assert.deepEqual(
        rollup.byAgentTool.map((r) => ({
          agentId: r.agentId,
          tool: r.tool,
          calls: r.calls,
          saved: r.tokensSaved,
        })),
        raw,
      );
    } finally {
      db.close();
    }
  });

  test('a cost reset starts one agent afresh and keeps every usage row', async () => {
    const before = await costReport(store, { workspaceIds: ['ws-a'], period: 'all', nowMs: NOW }, PRICING);
    const bob = before.byAgent.find((a) => a.agentId === 'bob');
    assert.ok(bob && bob.calls > 0);
    await store.usage.resetCost({
      workspaceId: 'ws-a',
      agentId: 'bob',
      by: 'bob',
      at: new Date(NOW).toISOString(),
    });
    const extra: Row = {
      ...(rows[0] as Row),
      workspaceId: 'ws-a',
      agentId: 'bob',
      tool: 'ctx_tree',
      tokensSent: 40,
      tokensRaw: 100,
      path: undefined,
      isError: false,
      ts: new Date(NOW).toISOString(),
    };
    await store.usage.record(extra);
    const afterReset = await costReport(
      store,
      { workspaceIds: ['ws-a'], period: 'all', nowMs: NOW },
      PRICING,
    );
    assert.deepEqual(
      afterReset.byAgent.find((a) => a.agentId === 'bob'),
      { agentId: 'bob', calls: 1, tokensSent: 40, tokensSaved: 60, sentUsd: 0.00012, savedUsd: 0.00018 },
    );
    assert.deepEqual(
      afterReset.byAgent.find((a) => a.agentId === 'alice'),
      before.byAgent.find((a) => a.agentId === 'alice'),
      'other agents keep counting',
    );
    assert.deepEqual(
      afterReset.resets.map((r) => [r.agentId, r.resetBy]),
      [['bob', 'bob']],
    );
    const gain = await gainReport(store, { workspaceIds: ['ws-a'], period: 'all', nowMs: NOW }, PRICING);
    assert.equal(gain.byAgent.find((a) => a.agentId === 'bob')?.calls, bob.calls + 1, 'gain is not reset');
  });

  test('LLM feedback is summed per model and intent and priced in the cost report', async () => {
    const fb = { workspaceId: 'ws-b', agentId: 'carol', contextId: undefined, note: undefined };
    await store.usage.recordFeedback({
      ...fb,
      model: 'gpt-5',
      inputTokens: 1000,
      outputTokens: 100,
      latencyMs: 200,
      intent: 'fix bug',
    });
    await store.usage.recordFeedback({
      ...fb,
      model: 'gpt-5',
      inputTokens: 3000,
      outputTokens: 300,
      latencyMs: 400,
      intent: 'fix bug',
    });
    await store.usage.recordFeedback({
      ...fb,
      model: undefined,
      inputTokens: 500,
      outputTokens: 5,
      latencyMs: undefined,
      intent: undefined,
    });
    const s = await store.usage.feedbackSummary({ workspaceIds: ['ws-b'] });
    assert.deepEqual(
      { entries: s.entries, in: s.inputTokens, out: s.outputTokens, latency: s.avgLatencyMs },
      { entries: 3, in: 4500, out: 405, latency: 300 },
    );
    assert.deepEqual(
      s.byIntent.map((i) => [i.intent, i.entries]),
      [
        ['fix bug', 2],
        ['', 1],
      ],
    );
    const cost = await costReport(
      store,
      { workspaceIds: ['ws-b'], period: 'all', nowMs: NOW, agentId: 'carol' },
      PRICING,
    );
    assert.equal(cost.llm.inputTokens, 4500);
    assert.equal(cost.llm.inputTokensWithoutSavings, 4500 + cost.totals.tokensSaved);
    assert.equal(
      await store.usage.deleteFeedback({ workspaceId: 'ws-b', agentId: 'bob' }),
      0,
      'only the named agent',
    );
    assert.equal(await store.usage.deleteFeedback({ workspaceId: 'ws-b', agentId: 'carol' }), 3);
  });
});

describe('a database from before the roll-ups', () => {
  test('opens, gains the new columns, and reports the rows it already held', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leanctx-econ-old-'));
    const file = join(dir, 'store.db');
    try {
      const old = new Database(file);
      old.exec(`CREATE TABLE usage (id INTEGER PRIMARY KEY, ts TEXT NOT NULL, workspace_id TEXT NOT NULL,
        agent_id TEXT NOT NULL, context_id TEXT, tool TEXT NOT NULL, tokens_sent INTEGER NOT NULL,
        tokens_saved INTEGER NOT NULL, duration_ms REAL NOT NULL, is_error INTEGER NOT NULL)`);
      const ins = old.prepare(
        'INSERT INTO usage (ts, workspace_id, agent_id, context_id, tool, tokens_sent, tokens_saved, duration_ms, is_error) VALUES (?, ?, ?, NULL, ?, ?, ?, 1, 0)',
      );
      ins.run('2026-06-01T10:00:00.000Z', 'main', 'alice', 'ctx_read', 100, 900);
      ins.run('2026-06-02T10:00:00.000Z', 'main', 'alice', 'ctx_read', 50, 450);
      old.close();
      const store = createSqliteStore(file);
      try {
        const rollup = await store.usage.rollup({ workspaceIds: ['main'], sinceDay: '2026-01-01' });
        assert.deepEqual(
          rollup.byAgentTool.map((r) => [r.agentId, r.tool, r.calls, r.tokensSaved]),
          [['alice', 'ctx_read', 2, 1350]],
        );
        assert.deepEqual(
          rollup.byDay.map((d) => d.day),
          ['2026-06-01', '2026-06-02'],
        );
        await store.usage.record({
          ts: '2026-06-03T10:00:00.000Z',
          workspaceId: 'main',
          agentId: 'alice',
          contextId: undefined,
          tool: 'ctx_read',
          tokensSent: 10,
          tokensSaved: 90,
          tokensRaw: 100,
          durationMs: 1,
          isError: false,
          path: 'src/x.ts',
        });
        const gain = await gainReport(store, { workspaceIds: ['main'], period: 'all', nowMs: NOW }, PRICING);
        assert.deepEqual(
          [gain.totals.calls, gain.totals.tokensSent, gain.totals.tokensRaw, gain.totals.tokensSaved],
          [3, 160, 100, 90],
        );
        assert.deepEqual(
          (await heatmap(store, { workspaceIds: ['main'], limit: 5 })).files.map((f) => f.path),
          ['src/x.ts'],
        );
      } finally {
        await store.close();
      }
      // opening again migrates nothing twice
      const again = createSqliteStore(file);
      const rollup = await again.usage.rollup({ workspaceIds: ['main'], sinceDay: '2026-01-01' });
      assert.equal(rollup.byAgentTool[0]?.calls, 3);
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a windowed heatmap keeps past days' sums and adds today's", () => {
  test("today's reads re-rank files; a backdated row is counted at once", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leanctx-econ-window-'));
    const store = createSqliteStore(join(dir, 'store.db'));
    try {
      const now = Date.now();
      const read = (path: string, ts: number, n: number) =>
        Promise.all(
          Array.from({ length: n }, () =>
            store.usage.record({
              ts: new Date(ts).toISOString(),
              workspaceId: 'main',
              agentId: 'alice',
              contextId: undefined,
              tool: 'ctx_read',
              tokensSent: 10,
              tokensSaved: 90,
              tokensRaw: 100,
              durationMs: 1,
              isError: false,
              path,
            }),
          ),
        );
      await read('src/old.ts', now - 2 * DAY_MS, 5);
      await read('src/new.ts', now - 3 * DAY_MS, 3);
      await read('lib/far.ts', now - 40 * DAY_MS, 50);
      const sinceTs = new Date(now - 6 * DAY_MS).toISOString();
      const top = async () =>
        (await heatmap(store, { workspaceIds: ['main'], sinceTs, limit: 2 })).files.map((f) => [
          f.path,
          f.reads,
        ]);
      assert.deepEqual(await top(), [
        ['src/old.ts', 5],
        ['src/new.ts', 3],
      ]);
      await read('src/new.ts', now, 4);
      assert.deepEqual(await top(), [
        ['src/new.ts', 7],
        ['src/old.ts', 5],
      ]);
      await read('src/today.ts', now, 6);
      assert.deepEqual(await top(), [
        ['src/new.ts', 7],
        ['src/today.ts', 6],
      ]);
      await read('src/old.ts', now - DAY_MS, 4);
      assert.deepEqual(await top(), [
        ['src/old.ts', 9],
        ['src/new.ts', 7],
      ]);
      const dirs = (await heatmap(store, { workspaceIds: ['main'], sinceTs, limit: 5 })).dirs;
      assert.deepEqual(
        dirs.map((d) => [d.path, d.reads]),
        [['src', 22]],
      );
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
