import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import { AGENT_IDLE_MS, createAgentPresence } from '../../src/sessions/agent-presence.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { NewEvent } from '../../src/store/types.ts';

test('an agent is announced when it first calls, leaves after the idle time, and joins again when it comes back', async () => {
  const store = createSqliteStore(':memory:');
  const events: NewEvent[] = [];
  let now = Date.parse('2026-01-01T00:00:00Z');
  const presence = createAgentPresence({
    store,
    publish: async (e) => events.push(e),
    now: () => now,
    logger: silentLogger,
  });
  try {
    const kinds = () => events.map((e) => `${e.kind}:${e.payload.agent}@${e.channelId}`);
    await presence.arrive('w', 'feat', 'cursor', 'alice');
    await presence.arrive('w', 'feat', 'cursor', 'alice');
    await presence.arrive('w', 'main', 'cursor', 'alice');
    now += 60_000;
    await presence.arrive('w', 'feat', 'claude-code', 'bob');
    assert.deepEqual(kinds(), [
      'agent_joined:cursor@feat',
      'agent_joined:cursor@main',
      'agent_joined:claude-code@feat',
    ]);

    now += AGENT_IDLE_MS - 30_000;
    await presence.arrive('w', 'feat', 'claude-code', 'bob'); // still active: its call is recorded
    await presence.sweep();
    assert.deepEqual(kinds().slice(3), ['agent_left:cursor@feat', 'agent_left:cursor@main']);
    assert.deepEqual(
      (await store.agents.list('w', 'feat', { present: true })).map((a) => a.name),
      ['claude-code'],
    );
    await presence.sweep();
    assert.equal(events.length, 5, 'each leave is announced once');

    await presence.arrive('w', 'feat', 'cursor', 'alice');
    assert.deepEqual(kinds().slice(5), ['agent_joined:cursor@feat']);
  } finally {
    presence.close();
    await store.close();
  }
});
