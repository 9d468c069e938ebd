import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { EVIDENCE_KEPT_PER_CONTEXT } from '../../src/store/evidence.ts';
import type { Fact } from '../../src/store/knowledge.ts';
import { MAX_EVENT_SEARCH_TERMS, type Store } from '../../src/store/types.ts';

const sortBaselines = <T extends { agentId: string; tool: string }>(rows: T[]) =>
  [...rows].sort((a, b) => (a.agentId + a.tool < b.agentId + b.tool ? -1 : 1));

/** A store under test and how to let it go (close it, drop its database). */
export interface StoreUnderTest {
  store: Store;
  close(): Promise<void>;
}

/**
 * What every back end of `Store` must do alike, as one suite: call it once per back end.
 * Each test works in workspaces and tokens of its own, so one store serves the whole suite;
 * `extend` adds tests (other store interfaces) that run on the same store.
 */
export function describeStoreContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
  extend?: (get: () => Store) => void,
): void {
  describe(`${name} store contract`, () => {
    let sut: StoreUnderTest;
    let n = 0;
    /** A workspace id no other test uses. */
    const fresh = (prefix = 'ws') => `${prefix}-${++n}-${Math.random().toString(36).slice(2, 8)}`;
    before(async () => {
      sut = await makeStore();
    });
    after(async () => {
      await sut?.close();
    });
    const store = () => sut.store;

    describe('events', () => {
      test('revisions count from 1 per channel in call order, and since/latestRevision read them back', async () => {
        const ws = fresh();
        for (let i = 0; i < 3; i++) {
          const e = await store().events.append({
            workspaceId: ws,
            channelId: 'a',
            kind: 'k',
            actor: 'x',
            payload: { i },
          });
          assert.equal(e.revision, i + 1);
        }
        const other = await store().events.append({
          workspaceId: ws,
          channelId: 'b',
          kind: 'k',
          actor: 'x',
          payload: {},
        });
        assert.equal(other.revision, 1, 'channels count apart');
        assert.equal(await store().events.latestRevision(ws, 'a'), 3);
        assert.equal(await store().events.latestRevision(ws, 'none'), 0);
        const since = await store().events.since(ws, 'a', 1, 10);
        assert.deepEqual(
          since.map((e) => [e.revision, e.payload.i]),
          [
            [2, 1],
            [3, 2],
          ],
        );
        assert.equal((await store().events.since(ws, 'a', 0, 2)).length, 2, 'limit holds');
        assert.equal(typeof since[0]?.ts, 'string');
      });

      test('200 appends issued at once get revisions 1..200 without gap, settling in call order', async () => {
        const ws = fresh();
        const settled: number[] = [];
        const appends = Array.from({ length: 200 }, (_, i) =>
          store()
            .events.append({ workspaceId: ws, channelId: 'main', kind: 'k', actor: 'x', payload: { i } })
            .then((e) => {
              settled.push(i);
              return e;
            }),
        );
        const events = await Promise.all(appends);
        assert.deepEqual(
          events.map((e) => e.revision),
          Array.from({ length: 200 }, (_, i) => i + 1),
        );
        assert.deepEqual(
          settled,
          Array.from({ length: 200 }, (_, i) => i),
        );
        const stored = await store().events.since(ws, 'main', 0, 1000);
        assert.deepEqual(
          stored.map((e) => e.payload.i),
          Array.from({ length: 200 }, (_, i) => i),
        );
      });

      test('search matches every term case-insensitively, newest first, within the scan window and channel', async () => {
        const ws = fresh();
        const add = (channelId: string, ts: string, payload: Record<string, unknown>) =>
          store().events.append({ workspaceId: ws, channelId, kind: 'note', actor: 'x', ts, payload });
        await add('a', '2026-01-01T00:00:01.000Z', { text: 'Deploy the API gateway' });
        await add('a', '2026-01-01T00:00:02.000Z', { text: 'gateway timeout seen' });
        await add('b', '2026-01-01T00:00:03.000Z', { text: 'API gateway on channel b' });
        await add('a', '2026-01-01T00:00:04.000Z', { text: 'unrelated' });
        const texts = async (ch: string | undefined, terms: string[], scan = 100) =>
          (await store().events.search(ws, ch, terms, { limit: 10, scan })).map((e) => e.payload.text);
        assert.deepEqual(await texts(undefined, ['GATEWAY', 'api']), [
          'API gateway on channel b',
          'Deploy the API gateway',
        ]);
        assert.deepEqual(await texts('a', ['gateway']), ['gateway timeout seen', 'Deploy the API gateway']);
        assert.deepEqual(await texts(undefined, ['gateway'], 2), ['API gateway on channel b']);
        assert.equal((await texts(undefined, [])).length, 4, 'no terms: every event in the window');
        await assert.rejects(
          store().events.search(ws, undefined, Array(MAX_EVENT_SEARCH_TERMS + 1).fill('x'), {
            limit: 1,
            scan: 1,
          }),
          RangeError,
        );
      });

      test('channels list each channel with its head revision, last activity and sorted agents', async () => {
        const ws = fresh();
        for (const [ch, actor, ts] of [
          ['beta', 'zed', '2026-01-01T00:00:01.000Z'],
          ['alpha', 'bob', '2026-01-01T00:00:02.000Z'],
          ['alpha', 'amy', '2026-01-01T00:00:03.000Z'],
          ['alpha', 'bob', '2026-01-01T00:00:04.000Z'],
        ] as const) {
          await store().events.append({ workspaceId: ws, channelId: ch, kind: 'k', actor, ts, payload: {} });
        }
        assert.deepEqual(await store().events.channels(ws), [
          {
            channelId: 'alpha',
            revision: 3,
            lastActivity: '2026-01-01T00:00:04.000Z',
            agents: ['amy', 'bob'],
          },
          { channelId: 'beta', revision: 1, lastActivity: '2026-01-01T00:00:01.000Z', agents: ['zed'] },
        ]);
        assert.deepEqual(await store().events.channels(fresh()), []);
      });

      test('prune drops old events and all but the newest per channel, keeps each head, and revisions go on', async () => {
        const ws = fresh();
        for (let i = 1; i <= 6; i++) {
          const ts = i <= 3 ? `2000-01-0${i}T00:00:00.000Z` : new Date().toISOString();
          await store().events.append({
            workspaceId: ws,
            channelId: 'c',
            kind: 'k',
            actor: 'x',
            ts,
            payload: { i },
          });
        }
        const old = await store().events.append({
          workspaceId: ws,
          channelId: 'old',
          kind: 'k',
          actor: 'x',
          ts: '2000-01-01T00:00:00.000Z',
          payload: {},
        });
        assert.equal(old.revision, 1);
        // the retention of other tests' events (all newer than 2001) is not touched
        const deleted = await store().events.prune({
          olderThan: '2001-01-01T00:00:00.000Z',
          keepPerChannel: 2,
        });
        assert.ok(deleted >= 4, `deleted ${deleted}`);
        assert.deepEqual(
          (await store().events.since(ws, 'c', 0, 10)).map((e) => e.revision),
          [5, 6],
        );
        assert.equal(
          (await store().events.since(ws, 'old', 0, 10)).length,
          1,
          "a channel's newest event stays",
        );
        const next = await store().events.append({
          workspaceId: ws,
          channelId: 'c',
          kind: 'k',
          actor: 'x',
          payload: {},
        });
        assert.equal(next.revision, 7);
      });
    });

    describe('usage', () => {
      const row = (ws: string, over: Partial<Parameters<Store['usage']['record']>[0]> = {}) => ({
        workspaceId: ws,
        agentId: 'alice',
        contextId: 'ctx1',
        tool: 'ctx_read',
        tokensSent: 100,
        tokensSaved: 40,
        durationMs: 1.5,
        isError: false,
        ...over,
      });

      test('summary totals by tool, most called first, with agent, context and time filters', async () => {
        const ws = fresh();
        await Promise.all([
          store().usage.record(row(ws)),
          store().usage.record(row(ws, { tool: 'ctx_search', isError: true, tokensSaved: 0 })),
          store().usage.record(row(ws, { agentId: 'bob', contextId: undefined })),
          store().usage.record(row(ws, { ts: '2000-01-01T00:00:00.000Z' })),
        ]);
        const all = await store().usage.summary({ workspaceId: ws });
        assert.deepEqual(all, {
          calls: 4,
          tokensSent: 400,
          tokensSaved: 120,
          byTool: [
            { tool: 'ctx_read', calls: 3, tokensSent: 300, tokensSaved: 120, errors: 0 },
            { tool: 'ctx_search', calls: 1, tokensSent: 100, tokensSaved: 0, errors: 1 },
          ],
        });
        assert.equal((await store().usage.summary({ workspaceId: ws, agentId: 'bob' })).calls, 1);
        assert.equal((await store().usage.summary({ workspaceId: ws, contextId: 'ctx1' })).calls, 3);
        assert.equal((await store().usage.summary({ workspaceId: ws, sinceTs: '2001-01-01' })).calls, 3);
        assert.deepEqual(await store().usage.summary({ workspaceId: fresh() }), {
          calls: 0,
          tokensSent: 0,
          tokensSaved: 0,
          byTool: [],
        });
      });

      test('rollup gives saved tokens per agent and tool, and per UTC day from sinceDay', async () => {
        const ws = fresh();
        const other = fresh();
        await Promise.all([
          store().usage.record(row(ws, { ts: '2026-03-01T10:00:00.000Z' })),
          store().usage.record(row(ws, { ts: '2026-03-02T10:00:00.000Z', tokensSaved: 10 })),
          store().usage.record(
            row(ws, { ts: '2026-03-02T11:00:00.000Z', agentId: 'bob', tool: 'ctx_search' }),
          ),
          store().usage.record(row(other, { ts: '2026-03-02T12:00:00.000Z' })),
        ]);
        const r = await store().usage.rollup({ workspaceIds: [ws], sinceDay: '2026-03-02' });
        assert.deepEqual(r.byAgentTool, [
          {
            agentId: 'alice',
            tool: 'ctx_read',
            calls: 2,
            tokensSaved: 50,
            lastTs: '2026-03-02T10:00:00.000Z',
          },
          {
            agentId: 'bob',
            tool: 'ctx_search',
            calls: 1,
            tokensSaved: 40,
            lastTs: '2026-03-02T11:00:00.000Z',
          },
        ]);
        // per day across agents (the roll-ups keep days per workspace, not per agent)
        assert.deepEqual(r.byDay, [{ day: '2026-03-02', calls: 2, tokensSaved: 50 }]);
        const bob = await store().usage.rollup({
          workspaceIds: [ws, other],
          agentId: 'bob',
          sinceDay: '2026-01-01',
        });
        assert.equal(bob.byAgentTool.length, 1);
        assert.deepEqual(await store().usage.rollup({ workspaceIds: [], sinceDay: '2026-01-01' }), {
          byAgentTool: [],
          byDay: [],
        });
      });

      test('prune deletes usage older than the cut-off and nothing newer', async () => {
        const ws = fresh();
        await store().usage.record(row(ws, { ts: '1999-06-01T00:00:00.000Z' }));
        await store().usage.record(row(ws));
        assert.ok((await store().usage.prune('2000-01-01T00:00:00.000Z')) >= 1);
        assert.equal((await store().usage.summary({ workspaceId: ws })).calls, 1);
      });
    });

    describe('usage economics', () => {
      const call = (ws: string, over: Partial<Parameters<Store['usage']['record']>[0]> = {}) => ({
        workspaceId: ws,
        agentId: 'alice',
        contextId: undefined,
        tool: 'ctx_read',
        tokensSent: 100,
        tokensSaved: 50,
        tokensRaw: 400,
        durationMs: 2,
        isError: false,
        ts: '2026-04-01T09:00:00.000Z',
        ...over,
      });
      const figures = (
        calls: number,
        errors: number,
        sent: number,
        raw: number,
        saved: number,
        ms: number,
      ) => ({
        calls,
        errors,
        tokensSent: sent,
        tokensRaw: raw,
        tokensSaved: saved,
        durationMs: ms,
      });

      test('totals sum calls per agent, tool and day; saved is raw - sent never below 0; a window reads the days', async () => {
        const ws = fresh();
        const other = fresh();
        await Promise.all([
          store().usage.record(call(ws)),
          // an answer bigger than its raw file saves nothing, not a negative
          store().usage.record(call(ws, { tokensRaw: 50, tokensSaved: 0 })),
          store().usage.record(
            call(ws, {
              agentId: 'bob',
              tool: 'ctx_search',
              tokensRaw: 0,
              isError: true,
              ts: '2026-04-03T08:00:00.000Z',
            }),
          ),
          store().usage.record(call(other, { ts: '2026-04-03T09:00:00.000Z' })),
        ]);
        const all = await store().usage.totals({ workspaceIds: [ws] });
        assert.deepEqual(all.byAgent, [
          { agentId: 'alice', ...figures(2, 0, 200, 450, 300, 4), lastTs: '2026-04-01T09:00:00.000Z' },
          { agentId: 'bob', ...figures(1, 1, 100, 0, 0, 2), lastTs: '2026-04-03T08:00:00.000Z' },
        ]);
        assert.deepEqual(all.byTool, [
          { tool: 'ctx_read', ...figures(2, 0, 200, 450, 300, 4) },
          { tool: 'ctx_search', ...figures(1, 1, 100, 0, 0, 2) },
        ]);
        assert.deepEqual(all.byDay, [
          { day: '2026-04-01', ...figures(2, 0, 200, 450, 300, 4) },
          { day: '2026-04-03', ...figures(1, 1, 100, 0, 0, 2) },
        ]);
        const window = await store().usage.totals({ workspaceIds: [ws, other], sinceDay: '2026-04-02' });
        assert.deepEqual(
          window.byAgent.map((a) => [a.agentId, a.calls]),
          [
            ['alice', 1],
            ['bob', 1],
          ],
        );
        assert.deepEqual(
          window.byDay.map((d) => [d.day, d.calls]),
          [['2026-04-03', 2]],
        );
        const bob = await store().usage.totals({ workspaceIds: [ws], agentId: 'bob' });
        assert.deepEqual(
          bob.byDay.map((d) => [d.day, d.calls, d.errors]),
          [['2026-04-03', 1, 1]],
        );
        await assert.rejects(
          store().usage.totals({ workspaceIds: [ws], agentId: 'bob', sinceDay: '2026-04-01' }),
          RangeError,
        );
        assert.deepEqual(await store().usage.totals({ workspaceIds: [] }), {
          byAgent: [],
          byTool: [],
          byDay: [],
        });
      });

      test('pathReads counts answered reads per file and sums them into every parent directory', async () => {
        const ws = fresh();
        const read = (path: string, ts = '2026-04-01T09:00:00.000Z', over = {}) =>
          store().usage.record(call(ws, { path, ts, tokensSent: 10, tokensRaw: 30, ...over }));
        await Promise.all([
          read('src/a.ts'),
          read('src/a.ts', '2026-04-02T09:00:00.000Z'),
          read('src/a.ts', '2026-04-05T09:00:00.000Z'),
          read('src/deep/b.ts'),
          read('src/deep/b.ts', '2026-04-05T10:00:00.000Z'),
          read('lib/c.ts', '2026-04-05T11:00:00.000Z'),
          read('lib/c.ts', '2026-04-05T11:00:01.000Z', { isError: true }),
          read('srcx.ts'),
          store().usage.record(call(ws, { tool: 'ctx_tree' })),
        ]);
        const files = await store().usage.pathReads({ workspaceIds: [ws], limit: 10 });
        assert.deepEqual(files[0], {
          workspaceId: ws,
          path: 'src/a.ts',
          reads: 3,
          tokensSent: 30,
          tokensRaw: 90,
          lastTs: '2026-04-05T09:00:00.000Z',
        });
        assert.deepEqual(
          files.map((f) => [f.path, f.reads]),
          [
            ['src/a.ts', 3],
            ['src/deep/b.ts', 2],
            ['lib/c.ts', 1],
            ['srcx.ts', 1],
          ],
          'most read first, then by path; the failed read is not counted',
        );
        const dirs = await store().usage.pathReads({ workspaceIds: [ws], dirs: true, limit: 10 });
        assert.deepEqual(
          dirs.map((d) => [d.path, d.reads, d.tokensSent]),
          [
            ['src', 5, 50],
            ['src/deep', 2, 20],
            ['lib', 1, 10],
          ],
        );
        assert.deepEqual(
          (await store().usage.pathReads({ workspaceIds: [ws], under: 'src/', limit: 10 })).map(
            (f) => f.path,
          ),
          ['src/a.ts', 'src/deep/b.ts'],
          'under a directory: its files only, not srcx.ts',
        );
        const recent = await store().usage.pathReads({
          workspaceIds: [ws],
          sinceDay: '2026-04-02',
          limit: 2,
        });
        assert.deepEqual(
          recent.map((f) => [f.path, f.reads, f.lastTs]),
          [
            ['src/a.ts', 2, '2026-04-05T09:00:00.000Z'],
            ['lib/c.ts', 1, '2026-04-05T11:00:00.000Z'],
          ],
        );
        const recentDirs = await store().usage.pathReads({
          workspaceIds: [ws],
          sinceDay: '2026-04-05',
          dirs: true,
          under: 'src',
          limit: 10,
        });
        assert.deepEqual(
          recentDirs.map((d) => [d.path, d.reads]),
          [['src/deep', 1]],
        );
        assert.deepEqual(await store().usage.pathReads({ workspaceIds: [], limit: 10 }), []);
      });

      test('resetCost records the totals as baselines per agent and tool, and keeps every usage row', async () => {
        const ws = fresh();
        await Promise.all([
          store().usage.record(call(ws)),
          store().usage.record(call(ws, { tool: 'ctx_search', tokensRaw: 0 })),
          store().usage.record(call(ws, { agentId: 'bob' })),
        ]);
        const at = '2026-04-10T00:00:00.000Z';
        await store().usage.resetCost({ workspaceId: ws, agentId: 'alice', by: 'admin', at });
        assert.deepEqual(await store().usage.costBaselines([ws]).then(sortBaselines), [
          {
            workspaceId: ws,
            agentId: 'alice',
            tool: 'ctx_read',
            ...figures(1, 0, 100, 400, 300, 2),
            resetAt: at,
            resetBy: 'admin',
          },
          {
            workspaceId: ws,
            agentId: 'alice',
            tool: 'ctx_search',
            ...figures(1, 0, 100, 0, 0, 2),
            resetAt: at,
            resetBy: 'admin',
          },
        ]);
        await store().usage.record(call(ws));
        const later = '2026-04-11T00:00:00.000Z';
        await store().usage.resetCost({ workspaceId: ws, agentId: undefined, by: 'root', at: later });
        const all = await store().usage.costBaselines([ws]).then(sortBaselines);
        assert.deepEqual(
          all.map((b) => [b.agentId, b.tool, b.calls, b.resetAt, b.resetBy]),
          [
            ['alice', 'ctx_read', 2, later, 'root'],
            ['alice', 'ctx_search', 1, later, 'root'],
            ['bob', 'ctx_read', 1, later, 'root'],
          ],
        );
        assert.equal((await store().usage.summary({ workspaceId: ws })).calls, 4, 'no usage row went');
        assert.deepEqual(await store().usage.costBaselines([]), []);
        assert.ok((await store().usage.costBaselines(undefined)).some((b) => b.workspaceId === ws));
      });

      test('feedback is summed per model and intent, filtered by time, and deleted per agent', async () => {
        const ws = fresh();
        const fb = {
          workspaceId: ws,
          agentId: 'carol',
          contextId: undefined,
          note: undefined,
          ts: '2026-04-01T00:00:00.000Z',
        };
        await store().usage.recordFeedback({
          ...fb,
          model: 'gpt-5',
          inputTokens: 1000,
          outputTokens: 100,
          latencyMs: 200,
          intent: 'fix bug',
        });
        await store().usage.recordFeedback({
          ...fb,
          model: 'gpt-5',
          inputTokens: 3000,
          outputTokens: 300,
          latencyMs: 400,
          intent: 'fix bug',
          ts: '2026-04-03T00:00:00.000Z',
        });
        await store().usage.recordFeedback({
          ...fb,
          agentId: 'dave',
          model: undefined,
          inputTokens: 500,
          outputTokens: 5,
          latencyMs: undefined,
          intent: undefined,
        });
        const s = await store().usage.feedbackSummary({ workspaceIds: [ws] });
        assert.deepEqual(
          { entries: s.entries, in: s.inputTokens, out: s.outputTokens, latency: s.avgLatencyMs },
          { entries: 3, in: 4500, out: 405, latency: 300 },
        );
        assert.deepEqual(s.byModel, [
          { model: 'gpt-5', entries: 2, inputTokens: 4000, outputTokens: 400, avgLatencyMs: 300 },
          { model: '', entries: 1, inputTokens: 500, outputTokens: 5, avgLatencyMs: 0 },
        ]);
        assert.deepEqual(
          s.byIntent.map((i) => [i.intent, i.entries]),
          [
            ['fix bug', 2],
            ['', 1],
          ],
        );
        const since = await store().usage.feedbackSummary({ workspaceIds: [ws], sinceTs: '2026-04-02' });
        assert.equal(since.entries, 1);
        assert.equal(
          (await store().usage.feedbackSummary({ workspaceIds: [ws], agentId: 'dave' })).entries,
          1,
        );
        assert.equal((await store().usage.feedbackSummary({ workspaceIds: [] })).entries, 0);
        assert.equal(await store().usage.deleteFeedback({ workspaceId: ws, agentId: 'bob' }), 0);
        assert.equal(await store().usage.deleteFeedback({ workspaceId: ws, agentId: 'carol' }), 2);
        assert.equal(await store().usage.deleteFeedback({ workspaceId: ws }), 1);
        assert.equal((await store().usage.feedbackSummary({ workspaceIds: [ws] })).entries, 0);
      });

      test('300 calls recorded at once are all counted, and prune leaves the roll-ups whole', async () => {
        const ws = fresh();
        await Promise.all(
          Array.from({ length: 300 }, (_, i) =>
            store().usage.record(
              call(ws, {
                agentId: `a${i % 3}`,
                path: `f${i % 7}.ts`,
                ts: i % 2 === 0 ? '1999-01-01T00:00:00.000Z' : '2026-04-01T00:00:00.000Z',
              }),
            ),
          ),
        );
        const count = async () => {
          const t = await store().usage.totals({ workspaceIds: [ws] });
          const reads = await store().usage.pathReads({ workspaceIds: [ws], limit: 100 });
          return {
            calls: t.byAgent.reduce((n, a) => n + a.calls, 0),
            days: t.byDay.map((d) => [d.day, d.calls]),
            reads: reads.reduce((n, r) => n + r.reads, 0),
          };
        };
        const before = await count();
        assert.deepEqual(before, {
          calls: 300,
          days: [
            ['1999-01-01', 150],
            ['2026-04-01', 150],
          ],
          reads: 300,
        });
        assert.ok((await store().usage.prune('2000-01-01T00:00:00.000Z')) >= 150);
        assert.equal((await store().usage.summary({ workspaceId: ws })).calls, 150);
        assert.deepEqual(await count(), before, 'reports count every call ever answered');
      });
    });

    describe('evidence', () => {
      const hash = (n: number) => n.toString(16).padStart(64, '0');

      test('a path read twice at one hash is one pair with both tools; another hash is another pair', async () => {
        const ws = fresh();
        const base = { workspaceId: ws, contextId: 'c', agentId: 'a', path: 'src/a.ts', bytes: 10 };
        await Promise.all([
          store().evidence.recordRead({
            ...base,
            sha256: hash(1),
            tool: 'ctx_read',
            ts: '2026-01-01T00:00:00.000Z',
          }),
          store().evidence.recordRead({
            ...base,
            sha256: hash(1),
            tool: 'ctx_multi_read',
            ts: '2026-01-01T00:00:01.000Z',
          }),
          store().evidence.recordRead({
            ...base,
            sha256: hash(1),
            tool: 'ctx_read',
            ts: '2026-01-01T00:00:02.000Z',
          }),
          store().evidence.recordRead({
            ...base,
            sha256: hash(2),
            tool: 'ctx_read',
            ts: '2026-01-01T00:00:03.000Z',
          }),
          store().evidence.recordRead({ ...base, agentId: 'other', sha256: hash(3), tool: 'ctx_read' }),
        ]);
        const { reads, total } = await store().evidence.reads(ws, 'c', 'a', 10);
        assert.equal(total, 2);
        assert.deepEqual(reads, [
          {
            path: 'src/a.ts',
            sha256: hash(2),
            bytes: 10,
            reads: 1,
            firstTs: '2026-01-01T00:00:03.000Z',
            lastTs: '2026-01-01T00:00:03.000Z',
            tools: ['ctx_read'],
          },
          {
            path: 'src/a.ts',
            sha256: hash(1),
            bytes: 10,
            reads: 3,
            firstTs: '2026-01-01T00:00:00.000Z',
            lastTs: '2026-01-01T00:00:02.000Z',
            tools: ['ctx_read', 'ctx_multi_read'],
          },
        ]);
        assert.deepEqual(
          (await store().evidence.reads(ws, 'c', 'a', 1)).reads.map((r) => r.sha256),
          [hash(2)],
          'limit keeps the newest',
        );
        await store().evidence.recordRead({ ...base, sha256: hash(2), tool: 'ctx_smart_read' });
        const again = await store().evidence.reads(ws, 'c', 'a', 10);
        assert.deepEqual(again.reads[0]?.tools, ['ctx_read', 'ctx_smart_read'], 'a later read adds its tool');
        assert.equal(again.reads[0]?.reads, 2);
        assert.equal(await store().evidence.forget(ws, 'c', 'a'), 2);
        assert.deepEqual(await store().evidence.reads(ws, 'c', 'a', 10), { reads: [], total: 0 });
        assert.equal(
          (await store().evidence.reads(ws, 'c', 'other', 10)).total,
          1,
          'another agent keeps its own',
        );
        assert.equal(await store().evidence.forget(ws, 'c', 'a'), 0);
      });

      test(`a context keeps at most ${EVIDENCE_KEPT_PER_CONTEXT} pairs, dropping the least recently read`, async () => {
        const ws = fresh();
        const n = EVIDENCE_KEPT_PER_CONTEXT + 25;
        const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
        const read = (i: number, ts = at(i)) =>
          store().evidence.recordRead({
            workspaceId: ws,
            contextId: 'c',
            agentId: 'a',
            path: `f${i}.ts`,
            sha256: hash(i),
            bytes: 1,
            tool: 'ctx_read',
            ts,
          });
        await Promise.all(Array.from({ length: EVIDENCE_KEPT_PER_CONTEXT }, (_, i) => read(i)));
        // f0 read again is the most recent: f1..f25 go, not f0
        await read(0, at(n + 10));
        await Promise.all(Array.from({ length: 25 }, (_, i) => read(EVIDENCE_KEPT_PER_CONTEXT + i)));
        const { reads, total } = await store().evidence.reads(ws, 'c', 'a', n);
        assert.equal(total, EVIDENCE_KEPT_PER_CONTEXT);
        assert.equal(reads.length, EVIDENCE_KEPT_PER_CONTEXT);
        assert.deepEqual([reads[0]?.path, reads[0]?.reads], ['f0.ts', 2]);
        assert.equal(reads[1]?.path, `f${n - 1}.ts`);
        assert.equal(reads.at(-1)?.path, 'f26.ts');
        assert.ok(!reads.some((r) => r.path === 'f25.ts' || r.path === 'f1.ts'));
      });
    });

    describe('budgets', () => {
      const charge = (tokenId: string, over: Record<string, unknown> = {}) => ({
        day: '2026-05-02',
        tokenId,
        workspaceId: 'main',
        agent: 'a1',
        role: '',
        tokens: 10,
        costUsd: 0.5,
        ...over,
      });

      test('a charge returns the totals just before and after it; totals and usage count from sinceDay', async () => {
        const token = fresh('tok');
        const first = await store().budgets.charge(charge(token), '2026-05-01');
        assert.deepEqual(first, {
          before: { tokens: 0, costUsd: 0, calls: 0 },
          after: { tokens: 10, costUsd: 0.5, calls: 1 },
        });
        await store().budgets.charge(charge(token, { day: '2026-04-01', tokens: 5 }), '2026-05-01');
        const second = await store().budgets.charge(charge(token, { agent: 'a2' }), '2026-05-01');
        assert.deepEqual(
          second.before,
          { tokens: 10, costUsd: 0.5, calls: 1 },
          'days before sinceDay do not count',
        );
        assert.deepEqual(await store().budgets.totals(token, '2026-01-01'), {
          tokens: 25,
          costUsd: 1.5,
          calls: 3,
        });
        const usage = (await store().budgets.usage('2026-05-01')).filter((u) => u.tokenId === token);
        assert.deepEqual(usage, [
          { tokenId: token, workspaceId: 'main', agent: 'a1', role: '', tokens: 10, costUsd: 0.5, calls: 1 },
          { tokenId: token, workspaceId: 'main', agent: 'a2', role: '', tokens: 10, costUsd: 0.5, calls: 1 },
        ]);
      });

      test('recorded charges are seen by the next read, repeated keys adding up', async () => {
        const token = fresh('tok');
        for (let i = 0; i < 5; i++) store().budgets.record(charge(token, { tokens: 2, costUsd: 0 }));
        assert.deepEqual(await store().budgets.totals(token, '2026-01-01'), {
          tokens: 10,
          costUsd: 0,
          calls: 5,
        });
        // one burst, two keys interleaved: each row gets exactly its own charges
        for (let i = 0; i < 6; i++) {
          store().budgets.record(charge(token, { agent: i % 2 ? 'b' : 'a1', tokens: 1 + i, costUsd: 0.25 }));
        }
        const usage = (await store().budgets.usage('2026-05-01')).filter((u) => u.tokenId === token);
        assert.deepEqual(usage, [
          {
            tokenId: token,
            workspaceId: 'main',
            agent: 'a1',
            role: '',
            tokens: 10 + 9,
            costUsd: 0.75,
            calls: 8,
          },
          { tokenId: token, workspaceId: 'main', agent: 'b', role: '', tokens: 12, costUsd: 0.75, calls: 3 },
        ]);
      });

      test('50 charges at once to one token are serialized: no two see the same "before"', async () => {
        const token = fresh('tok');
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store().budgets.charge(charge(token, { workspaceId: `w${i % 3}`, tokens: 1 }), '2026-01-01'),
          ),
        );
        assert.deepEqual(
          results.map((r) => r.before.calls).sort((a, b) => a - b),
          Array.from({ length: 50 }, (_, i) => i),
        );
        assert.equal((await store().budgets.totals(token, '2026-01-01')).tokens, 50);
      });
    });

    describe('knowledge', () => {
      const fact = (ws: string, key: string, value: string, over: Record<string, unknown> = {}) => ({
        workspaceId: ws,
        kind: 'fact' as const,
        category: 'infra',
        key,
        value,
        examples: [],
        confidence: 0.8,
        source: 'alice',
        now: '2026-01-01T00:00:00.000Z',
        ...over,
      });

      test('remember creates, confirms the same value, supersedes a new one and refuses an earlier valid time', async () => {
        const ws = fresh();
        const k = store().knowledge;
        const created = await k.remember(fact(ws, 'db', 'postgres 16'));
        assert.equal(created.outcome, 'created');
        const confirmed = await k.remember(
          fact(ws, 'db', 'postgres 16', { now: '2026-01-02T00:00:00.000Z' }),
        );
        assert.equal(confirmed.outcome, 'confirmed');
        assert.equal(confirmed.fact.confirmations, 2);
        const superseded = await k.remember(fact(ws, 'db', 'mysql 8', { now: '2026-01-03T00:00:00.000Z' }));
        assert.equal(superseded.outcome, 'superseded');
        if (superseded.outcome !== 'superseded') return;
        assert.equal(superseded.previous.supersededBy, superseded.fact.id);
        assert.equal(superseded.previous.validUntil, superseded.fact.validFrom);
        assert.equal(superseded.fact.supersedes, created.fact.id);
        const refused = await k.remember(fact(ws, 'db', 'sqlite', { validFrom: '2025-01-01T00:00:00.000Z' }));
        assert.equal(refused.outcome, 'refused');
        assert.equal((await k.current(ws, { category: 'infra', key: 'db' }))?.value, 'mysql 8');
        const history = await k.history(ws, { category: 'infra', key: 'db' }, 10);
        assert.deepEqual(
          history.map((f) => f.value),
          ['mysql 8', 'postgres 16'],
        );
        assert.equal(await k.count(ws), 2);
      });

      test('search finds facts by name and body terms, name matches first, current versions only', async () => {
        const ws = fresh();
        const k = store().knowledge;
        await k.remember(fact(ws, 'deploy_target', 'kubernetes cluster in frankfurt'));
        await k.remember(fact(ws, 'ci', 'builds run on github actions; deploy happens after merge'));
        await k.remember(fact(ws, 'cache', 'redis 7', { category: 'storage' }));
        await k.remember(
          fact(ws, 'cache', 'valkey 8', { category: 'storage', now: '2026-01-05T00:00:00.000Z' }),
        );
        const hits = await k.search(ws, ['deploy'], { limit: 10, asOf: '2026-02-01T00:00:00.000Z' });
        assert.deepEqual(
          hits.map((h) => h.fact.key),
          ['deploy_target', 'ci'],
        );
        assert.ok(hits.every((h) => h.bm25 > 0));
        const cache = await k.search(ws, ['redis', 'valkey'], {
          limit: 10,
          asOf: '2026-02-01T00:00:00.000Z',
        });
        assert.deepEqual(
          cache.map((h) => h.fact.value),
          ['valkey 8'],
        );
        const past = await k.search(ws, ['redis'], { limit: 10, asOf: '2026-01-02T00:00:00.000Z' });
        assert.deepEqual(
          past.map((h) => h.fact.value),
          ['redis 7'],
          'asOf sees the version valid then',
        );
        const all = await k.search(ws, ['cache'], { limit: 10, history: true });
        assert.equal(all.length, 2);
        assert.deepEqual(await k.search(ws, [], { limit: 10 }), []);
        assert.deepEqual(await k.search(ws, ['nothing_like_it'], { limit: 10 }), []);
      });

      test('remove takes a key out of search and current, keeps its history; feedback and retrievals count', async () => {
        const ws = fresh();
        const k = store().knowledge;
        const ref = { category: 'infra', key: 'queue' };
        const { fact: f } = (await k.remember(fact(ws, 'queue', 'rabbitmq broker'))) as { fact: Fact };
        assert.equal((await k.feedback(ws, ref, 'up'))?.feedbackUp, 1);
        assert.equal((await k.feedback(ws, ref, 'down'))?.feedbackDown, 1);
        await k.retrieved([f.id, f.id]);
        assert.equal((await k.current(ws, ref))?.retrievals, 2);
        const removed = await k.remove(ws, ref, '2026-01-09T00:00:00.000Z');
        assert.equal(removed?.removedAt, '2026-01-09T00:00:00.000Z');
        assert.equal(await k.current(ws, ref), undefined);
        assert.deepEqual(await k.search(ws, ['rabbitmq'], { limit: 5, history: true }), []);
        assert.equal((await k.history(ws, ref, 5)).length, 1);
        assert.equal(await k.remove(ws, ref, '2026-01-10T00:00:00.000Z'), undefined);
        assert.equal(await k.feedback(ws, ref, 'up'), undefined);
      });

      test('list, stats and relations describe the workspace', async () => {
        const ws = fresh();
        const k = store().knowledge;
        await k.remember(fact(ws, 'a', 'one'));
        await k.remember(fact(ws, 'b', 'two', { kind: 'pattern', category: 'style' }));
        await k.remember(fact(ws, 'c', 'three', { now: '2026-01-03T00:00:00.000Z', source: 'bob' }));
        const listed = await k.list(ws, { limit: 10, asOf: '2026-02-01T00:00:00.000Z' });
        assert.deepEqual(
          listed.map((f) => f.key),
          ['c', 'b', 'a'],
        );
        assert.deepEqual(
          (await k.list(ws, { limit: 10, kind: 'pattern', asOf: '2026-02-01T00:00:00.000Z' })).map(
            (f) => f.key,
          ),
          ['b'],
        );
        const rel = await k.relate(
          {
            workspaceId: ws,
            from: { category: 'infra', key: 'a' },
            to: { category: 'infra', key: 'c' },
            kind: 'depends_on',
            source: 'alice',
          },
          '2026-01-04T00:00:00.000Z',
        );
        assert.equal(rel.count, 1);
        const again = await k.relate(
          {
            workspaceId: ws,
            from: { category: 'infra', key: 'a' },
            to: { category: 'infra', key: 'c' },
            kind: 'depends_on',
            source: 'alice',
          },
          '2026-01-05T00:00:00.000Z',
        );
        assert.deepEqual(
          [again.count, again.createdAt, again.lastSeen],
          [2, '2026-01-04T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
        );
        assert.equal((await k.relations(ws, { category: 'infra', key: 'c' })).length, 1);
        const stats = await k.stats(ws);
        assert.deepEqual(
          { ...stats, lastChange: stats.lastChange?.source },
          {
            current: 3,
            versions: 3,
            removed: 0,
            patterns: 1,
            relations: 1,
            categories: [
              { category: 'infra', facts: 2 },
              { category: 'style', facts: 1 },
            ],
            lastChange: 'bob',
          },
        );
        assert.equal(await k.unrelate(ws, { category: 'infra', key: 'a' }), 1);
        assert.deepEqual(await k.relations(ws), []);
      });

      test('retire removes the dropped fact in favour of the kept one and records supersedes', async () => {
        const ws = fresh();
        const k = store().knowledge;
        const keep = (await k.remember(fact(ws, 'db', 'postgres'))) as { fact: Fact };
        const drop = (await k.remember(fact(ws, 'database', 'postgres too'))) as { fact: Fact };
        const done = await k.retire(
          ws,
          [{ keep: keep.fact.id, drop: drop.fact.id }],
          'bob',
          '2026-01-02T00:00:00.000Z',
        );
        assert.equal(done.length, 1);
        assert.equal(done[0]?.drop.removedAt, '2026-01-02T00:00:00.000Z');
        assert.equal(await k.current(ws, { category: 'infra', key: 'database' }), undefined);
        assert.deepEqual(
          (await k.relations(ws)).map((r) => [r.from.key, r.kind, r.to.key]),
          [['db', 'supersedes', 'database']],
        );
        assert.deepEqual(
          await k.retire(ws, [{ keep: keep.fact.id, drop: drop.fact.id }], 'bob', '2026-01-03T00:00:00.000Z'),
          [],
        );
      });

      test('a dump loads whole into an empty workspace and merges into a filled one', async () => {
        const ws = fresh();
        const k = store().knowledge;
        await k.remember(fact(ws, 'db', 'postgres'));
        await k.remember(fact(ws, 'db', 'mysql', { now: '2026-01-02T00:00:00.000Z' }));
        await k.remember(fact(ws, 'gone', 'soon removed'));
        await k.remove(ws, { category: 'infra', key: 'gone' }, '2026-01-03T00:00:00.000Z');
        await k.relate(
          {
            workspaceId: ws,
            from: { category: 'infra', key: 'db' },
            to: { category: 'infra', key: 'gone' },
            kind: 'related_to',
            source: 'alice',
          },
          '2026-01-03T00:00:00.000Z',
        );
        const dump = await k.dump(ws);
        assert.equal(dump.facts.length, 3);

        const target = fresh();
        const restored = await k.load(target, dump, 'carol', '2026-02-01T00:00:00.000Z');
        assert.deepEqual(restored, {
          mode: 'restored',
          facts: 3,
          superseded: 1,
          confirmed: 0,
          skipped: 0,
          relations: 1,
        });
        const chain = await k.history(target, { category: 'infra', key: 'db' }, 10);
        assert.deepEqual(
          chain.map((f) => f.value),
          ['mysql', 'postgres'],
        );
        assert.equal(chain[1]?.supersededBy, chain[0]?.id);
        assert.equal(chain[0]?.supersedes, chain[1]?.id);
        assert.deepEqual(
          await k.search(target, ['removed'], { limit: 5, history: true }),
          [],
          'a removed key stays unsearchable',
        );
        assert.equal((await k.search(target, ['mysql'], { limit: 5 })).length, 1);

        const merged = await k.load(target, dump, 'carol', '2026-02-02T00:00:00.000Z');
        assert.equal(merged.mode, 'merged');
        assert.equal(merged.confirmed, 1);
        assert.equal(await k.count(target), 3);
      });

      test('20 writers remembering one key at once leave one current value and one unbroken chain', async () => {
        const ws = fresh();
        const k = store().knowledge;
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            k.remember(
              fact(ws, 'leader', `node number ${i} of the cluster ${'x'.repeat(i)}`, { source: `w${i}` }),
            ),
          ),
        );
        assert.equal(results.filter((r) => r.outcome === 'created').length, 1);
        const versions = await k.history(ws, { category: 'infra', key: 'leader' }, 100);
        assert.equal(versions.length, 20);
        assert.equal(versions.filter((f) => f.supersededBy === null).length, 1);
        const byId = new Map(versions.map((f) => [f.id, f]));
        let seen = 0;
        for (
          let f = versions.find((v) => v.supersededBy === null);
          f;
          f = f.supersedes === null ? undefined : byId.get(f.supersedes)
        ) {
          seen++;
        }
        assert.equal(seen, 20);
      });
    });

    extend?.(store);
  });
}
