import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildSnapshot } from '../../src/sessions/snapshot.ts';
import { ENTRY_KINDS, type SessionEntry, type SessionState } from '../../src/store/sessions.ts';

const text = (max: number) => fc.string({ unit: 'binary', maxLength: max, size: 'large' });
const entry = fc.record({
  kind: fc.constantFrom(...ENTRY_KINDS),
  text: text(2000),
  agent: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/),
  file: fc.option(fc.constantFrom('src/a.ts', 'lib/<b>&c.py'), { nil: undefined }),
  line: fc.option(fc.integer({ min: 1, max: 99_999 }), { nil: undefined }),
});
const input = fc.record({
  task: fc.option(text(2000), { nil: undefined }),
  entries: fc.array(entry, { maxLength: 60, size: 'medium' }),
  agents: fc.array(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/), { maxLength: 40 }),
  workflow: fc.option(
    fc.record({ name: fc.stringMatching(/^[a-z_]{1,64}$/), state: fc.stringMatching(/^[a-z]{1,64}$/) }),
    {
      nil: undefined,
    },
  ),
  tasks: fc.array(fc.record({ id: fc.stringMatching(/^[0-9a-f]{8}$/), description: text(2000) }), {
    maxLength: 8,
  }),
});

test('the session snapshot is at most 2 KB, well formed, and keeps the newest items of each kind', () => {
  let trimmed = 0;
  let runs = 0;
  fc.assert(
    fc.property(input, (i) => {
      const entries: SessionEntry[] = i.entries.map((e, n) => ({
        ...e,
        revision: n + 2,
        ts: '2026-01-01T00:00:00Z',
      }));
      const session: SessionState = {
        workspaceId: 'main',
        channelId: 'feat/auth-refactor',
        revision: entries.length + 1,
        task: i.task === undefined ? undefined : { text: i.task, agent: 'a', ts: '', revision: 1 },
        entries,
        updatedAt: undefined,
        updatedBy: undefined,
      };
      const snapshot = buildSnapshot({
        session,
        agents: i.agents,
        workflow: i.workflow,
        openTasks: i.tasks.map((t) => ({ ...t, id: `t_${t.id}`, state: 'working', to: undefined })),
      });
      runs++;
      const unbounded = buildSnapshot(
        { session, agents: i.agents, workflow: i.workflow },
        Number.MAX_SAFE_INTEGER,
      );
      if (Buffer.byteLength(unbounded) > 2048) trimmed++;
      assert.ok(Buffer.byteLength(snapshot) <= 2048, `${Buffer.byteLength(snapshot)} bytes`);
      assert.ok(snapshot.startsWith('<session workspace="main" channel="feat/auth-refactor"'));
      assert.ok(snapshot.endsWith('</session>'));
      for (const kind of ['decision', 'finding', 'checkpoint'] as const) {
        const all = entries.filter((e) => e.kind === kind).map((e) => e.revision);
        const shown = [...snapshot.matchAll(/, r(\d+)\)$/gm)]
          .map((m) => Number(m[1]))
          .filter((r) => all.includes(r));
        assert.deepEqual(shown, all.slice(all.length - shown.length), `${kind}: the newest, in order`);
      }
    }),
    { numRuns: 300 },
  );
  assert.ok(trimmed > runs / 5, `only ${trimmed} of ${runs} runs needed trimming: the test checked little`);
});
