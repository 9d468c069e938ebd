import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFanOutMessage } from '../../src/events/fan-out-message.ts';
import { notifyPayloads } from '../../src/events/pg-notify-fan-out.ts';
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

test('a batch of events travels in NOTIFY payloads under 8000 bytes, in order, and parses back whole', () => {
  const events = Array.from({ length: 40 }, (_, i) => event(i + 1, { text: 'x'.repeat(900), n: i }));
  const payloads = notifyPayloads(events, 'writer');
  assert.ok(payloads.length > 1, 'a batch over the limit is cut into several notifications');
  for (const p of payloads)
    assert.ok(Buffer.byteLength(p) < 8000, `a payload of ${Buffer.byteLength(p)} bytes`);
  const back = payloads.flatMap((p) => {
    const got = parseFanOutMessage(p, 'reader');
    assert.notEqual(got, 'resync');
    return got as EventRecord[];
  });
  assert.deepEqual(back, events);
});

test('an event too large for one notification becomes a resync, and the events around it still travel', () => {
  const big = event(2, { text: 'é'.repeat(4000) });
  const payloads = notifyPayloads([event(1), big, event(3)], 'writer');
  const parsed = payloads.map((p) => parseFanOutMessage(p, 'reader'));
  assert.deepEqual(parsed, [[event(1)], 'resync', [event(3)]]);
});

test('a replica skips its own messages and reads the one-event form older replicas send', () => {
  const [own] = notifyPayloads([event(1)], 'me');
  assert.deepEqual(parseFanOutMessage(own as string, 'me'), []);
  assert.deepEqual(parseFanOutMessage(JSON.stringify({ r: 'old', e: event(5) }), 'me'), [event(5)]);
  assert.deepEqual(parseFanOutMessage('not json', 'me'), []);
});
