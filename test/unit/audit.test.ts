import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { argumentsMd5 } from '../../src/audit/arguments-md5.ts';
import { type AuditEntry, createAuditLog } from '../../src/audit/audit-log.ts';
import { canonicalJson } from '../../src/audit/canonical-json.ts';

const entry = (n: number): AuditEntry => ({
  ts: new Date(0).toISOString(),
  requestId: `r${n}`,
  tokenId: 't',
  workspaceId: 'main',
  channelId: 'main',
  tool: 'ctx_read',
  method: 'tools/call',
  allowed: true,
  deniedReason: null,
  argumentsMd5: argumentsMd5({ n }),
  status: 200,
  durationMs: 1,
});

test('canonical JSON sorts keys at every level and drops undefined members (RFC 8785)', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'é' } }),
    '{"a":{"c":"é","d":[3,{"y":2,"z":1}]},"b":1}',
  );
  assert.equal(canonicalJson({ x: undefined, n: 1e21, f: 0.1 }), '{"f":0.1,"n":1e+21}');
  assert.equal(argumentsMd5({ a: 1, b: 2 }), argumentsMd5({ b: 2, a: 1 }));
  assert.notEqual(argumentsMd5({ a: 1 }), argumentsMd5({ a: '1' }));
  assert.throws(() => canonicalJson({ bad: Number.NaN }), /NaN/);
});

test('a torn last line from an earlier crash is cut before appending', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
  const log = createAuditLog(path);
  log.write(entry(1));
  log.close();
  appendFileSync(path, '{"ts":"2026-01-01T00:00:00.000Z","requ');
  const again = createAuditLog(path);
  again.write(entry(2));
  again.close();
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  assert.deepEqual(
    lines.map((l) => JSON.parse(l).requestId),
    ['r1', 'r2'],
  );
});

test('the audit file rotates by size and keeps whole lines in each file', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
  const log = createAuditLog(path, 1000);
  for (let i = 0; i < 40; i++) log.write(entry(i));
  log.close();
  assert.ok(existsSync(`${path}.1`));
  for (const file of [path, `${path}.1`]) {
    const text = readFileSync(file, 'utf8');
    assert.ok(text.length <= 1000);
    for (const line of text.trim().split('\n')) JSON.parse(line);
  }
});

test('each audit line is in the file when write returns, in call order, without a close', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
  const log = createAuditLog(path);
  for (let i = 0; i < 5; i++) log.write(entry(i));
  const ids = readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).requestId);
  assert.deepEqual(ids, ['r0', 'r1', 'r2', 'r3', 'r4']);
  log.close();
});

test('a failed audit write (a full disk) is reported to onError, not thrown at the caller', async () => {
  const errors: unknown[] = [];
  const log = createAuditLog('/dev/full', 0, (err) => errors.push(err));
  log.write(entry(1));
  assert.equal(errors.length, 1);
  assert.match(String(errors[0]), /ENOSPC/);
  log.close();
});
