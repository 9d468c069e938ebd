import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createParser } from 'eventsource-parser';
import fc from 'fast-check';
import { type SseEvent, SseParser } from '../../src/gateway/sse-parser.ts';

/** The events eventsource-parser (what the SDK's client transport uses) finds in `chunks`. */
function reference(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: (e) => events.push({ event: e.event ?? '', data: e.data, id: e.id }),
  });
  for (const chunk of chunks) parser.feed(chunk);
  return events;
}

function ours(chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

const line = fc.oneof(
  fc.constantFrom(
    'data: {"jsonrpc":"2.0","id":1,"result":{}}',
    'data:x',
    'data',
    'event: message',
    'event: ping',
  ),
  fc.constantFrom('id: 7', 'id:', 'retry: 10', ': keepalive', '', 'data:  two spaces', 'field without colon'),
  fc.string({ maxLength: 12 }).map((s) => `data: ${s.replace(/[\r\n]/g, '')}`),
);
const ending = fc.constantFrom('\n', '\r\n', '\r');

test('SSE events are what eventsource-parser finds, whatever the line endings and however the stream is cut', () => {
  let runs = 0;
  fc.assert(
    fc.property(
      fc.array(fc.tuple(line, ending), { maxLength: 30 }),
      fc.array(fc.nat({ max: 60 }), { maxLength: 20 }),
      (lines, cuts) => {
        runs++;
        const stream = `${lines.map(([l, e]) => l + e).join('')}\n\n`;
        const chunks: string[] = [];
        let at = 0;
        for (const cut of cuts) {
          chunks.push(stream.slice(at, at + cut));
          at += cut;
        }
        chunks.push(stream.slice(at));
        assert.deepEqual(ours(chunks), reference([stream]));
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(runs, 500, 'the property ran');
});

test('an empty chunk between a CR and its LF does not make a blank line (found by the property above)', () => {
  const chunks = ['data: a\r', '', '\ndata: b\n\n'];
  assert.deepEqual(ours(chunks), reference([chunks.join('')]));
});

test('an SSE event longer than the limit throws before it is all held', () => {
  const parser = new SseParser(() => {}, 100);
  parser.push('data: ');
  parser.push('x'.repeat(50));
  assert.throws(() => parser.push('x'.repeat(50)), /an event of more than 100 characters/);
  const fine = new SseParser(() => {}, 100);
  for (let i = 0; i < 50; i++) fine.push(`data: ${'y'.repeat(40)}\n\n`);
});
