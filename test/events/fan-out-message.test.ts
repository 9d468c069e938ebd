import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFanOutMessage } from '../../src/events/fan-out-message.ts';
import type { EventRecord } from '../../src/store/types.ts';

const event = (revision: number, payload: Record<string, unknown> = { n: revision }): EventRecord => ({
  workspaceId: 'ws',
  channelId: 'ch',
  revision,
  kind: 'session_mutated',
  actor: 'alice',
  ts: '2026-12-02T00:00:00.000Z',
  payload,
});

test('a replica skips its own messages and reads the one-event form older replicas send', () => {
  const own = JSON.stringify({ r: 'me', es: [event(1)] });
  assert.deepEqual(parseFanOutMessage(own, 'me'), []);
  assert.deepEqual(parseFanOutMessage(own, 'other'), [event(1)]);
  assert.equal(parseFanOutMessage(JSON.stringify({ r: 'other', resync: true }), 'me'), 'resync');
  assert.deepEqual(parseFanOutMessage(JSON.stringify({ r: 'old', e: event(5) }), 'me'), [event(5)]);
  assert.deepEqual(parseFanOutMessage('not json', 'me'), []);
});
