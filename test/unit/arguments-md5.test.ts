import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { argumentsMd5, restCallArguments, serdeJson } from '../../src/audit/arguments-md5.ts';
import { createSloWindow } from '../../src/metrics/slo-window.ts';

// Expected texts are what serde_json 1.0.151 (the original's lock; floats by zmij) prints for
// the same JSON (Value::to_string, maps without preserve_order), written out by hand.
test('serdeJson is serde_json compact text with keys in UTF-8 byte order', () => {
  assert.equal(
    serdeJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'é' } }),
    '{"a":{"c":"é","d":[3,{"y":2,"z":1}]},"b":1}',
  );
  // UTF-16 order would put the astral key first; UTF-8 bytes put U+E000 (EE..) before U+1F600 (F0..)
  assert.equal(serdeJson({ '\u{1F600}': 2, '\uE000': 1 }), '{"\uE000":1,"\u{1F600}":2}');
  assert.equal(serdeJson({ s: 'a"b\\c\n\u0001/\u2028' }), '{"s":"a\\"b\\\\c\\n\\u0001/\u2028"}');
  assert.equal(serdeJson([true, null, 'x']), '[true,null,"x"]');
});

test('serdeJson writes integers as integers and other numbers as serde_json floats', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-7, '-7'],
    [2 ** 53 + 2, '9007199254740994'],
    [2 ** 63, '9223372036854775808'],
    [1.5, '1.5'],
    [-0.25, '-0.25'],
    [0.001, '0.001'],
    [0.0001, '0.0001'],
    [1e-7, '1e-7'],
    [1.25e-7, '1.25e-7'],
    [123456.789, '123456.789'],
    [2 ** 64, '1.8446744073709552e+19'],
    [1e21, '1e+21'],
    [3.439070283483335e35, '3.439070283483335e+35'],
    [6.62607015e-34, '6.62607015e-34'],
    [1e16 + 2, '10000000000000002'],
    [12345678.5, '12345678.5'],
    [-0, '-0.0'],
  ];
  for (const [n, text] of cases) assert.equal(serdeJson(n), text, String(n));
});

test('argumentsMd5 is "" for no arguments and the MD5 of serdeJson otherwise', () => {
  assert.equal(argumentsMd5(undefined), '');
  assert.equal(argumentsMd5({}), createHash('md5').update('{}').digest('hex'));
  assert.equal(argumentsMd5({ b: 2, a: 1 }), createHash('md5').update('{"a":1,"b":2}').digest('hex'));
});

test('a REST call hashes its arguments with the server-set workspaceId, channelId and agentId', () => {
  const at = { workspaceId: 'main', workspaceKnown: true, bodyChannelId: '  feat ', tokenId: 'ci' };
  assert.deepEqual(restCallArguments({ path: 'a', workspaceId: 'spoofed', agentId: 'x' }, at), {
    path: 'a',
    workspaceId: 'main',
    channelId: 'feat',
    agentId: 'team:ci',
  });
  assert.deepEqual(restCallArguments(undefined, { ...at, bodyChannelId: ' ' }), {
    workspaceId: 'main',
    agentId: 'team:ci',
  });
  assert.equal(restCallArguments(undefined, { ...at, workspaceKnown: false }), undefined);
});

test('the SLO window uses nearest-rank percentiles and counts only 5xx against availability', () => {
  let now = 1_000_000;
  const slo = createSloWindow(() => now);
  assert.deepEqual(
    { ...slo.snapshot(), uptime_seconds: 0 },
    {
      requests_total: 0,
      errors_total: 0,
      window_len: 0,
      p50_ms: 0,
      p95_ms: 0,
      p99_ms: 0,
      availability_pct: 100,
      index_lag_seconds: null,
      uptime_seconds: 0,
    },
  );
  for (let ms = 100; ms >= 1; ms--) slo.record(ms, ms !== 7);
  slo.recordIndexWrite();
  now += 5_000;
  const s = slo.snapshot();
  assert.equal(s.p50_ms, 50);
  assert.equal(s.p95_ms, 95);
  assert.equal(s.p99_ms, 99);
  assert.equal(s.availability_pct, 99);
  assert.equal(s.errors_total, 1);
  assert.equal(s.index_lag_seconds, 5);
  assert.equal(s.uptime_seconds, 5);
  for (let i = 0; i < 5000; i++) slo.record(1, true);
  assert.equal(slo.snapshot().window_len, 4096);
  assert.equal(slo.snapshot().requests_total, 5100);
  assert.equal(slo.snapshot().availability_pct, 100);
});
