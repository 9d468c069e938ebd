import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRefusalWindow } from '../../src/metrics/refusal-window.ts';

test('the refusal window counts codes per minute within the asked span and keeps totals since start', () => {
  let now = Date.UTC(2026, 0, 1, 12, 0, 30);
  const w = createRefusalWindow(() => now);
  w.record('scope_denied');
  w.record('rate_limited');
  now += 10 * 60_000;
  w.record('scope_denied');
  w.record('scope_denied');
  assert.deepEqual(w.counts(5), [
    { code: 'scope_denied', total: 3, recent: 2 },
    { code: 'rate_limited', total: 1, recent: 0 },
  ]);
  assert.deepEqual(w.counts(30), [
    { code: 'scope_denied', total: 3, recent: 3 },
    { code: 'rate_limited', total: 1, recent: 1 },
  ]);
  // past the 60-minute window old minutes are dropped; totals stay
  now += 61 * 60_000;
  w.record('unauthorized');
  assert.deepEqual(w.counts(60), [
    { code: 'unauthorized', total: 1, recent: 1 },
    { code: 'scope_denied', total: 3, recent: 0 },
    { code: 'rate_limited', total: 1, recent: 0 },
  ]);
});
