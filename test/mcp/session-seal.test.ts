import assert from 'node:assert/strict';
import { test } from 'node:test';
import { credentialOf, openSession, sealSession } from '../../src/mcp/session-seal.ts';

const SECRET = 'k'.repeat(64);
const session = {
  tokenId: 'alice',
  credential: credentialOf(SECRET, 'a'.repeat(64)),
  contextId: '3c2a8f0e-1111-4c4c-9999-0123456789ab',
  protocolVersion: '2025-11-25',
  clientName: 'c',
  expiresAt: 2_000_000_000_000,
};

test('a sealed session id opens to what was sealed, and is visible ASCII only', () => {
  const id = sealSession(SECRET, session);
  assert.match(id, /^[\x21-\x7e]+$/);
  assert.deepEqual(openSession(SECRET, id, 1_000), { ok: true, session });
});

test('an id with any payload byte changed, another key, or another shape is refused', () => {
  const id = sealSession(SECRET, session);
  const [v, payload = '', sig = ''] = id.split('.');
  const changed = `${v}.${payload.slice(0, 5)}${payload[5] === 'A' ? 'B' : 'A'}${payload.slice(6)}.${sig}`;
  assert.equal(openSession(SECRET, changed, 1_000).ok, false);
  assert.equal(openSession('other'.repeat(10), id, 1_000).ok, false);
  assert.equal(openSession(SECRET, 'not-a-session', 1_000).ok, false);
  assert.equal(openSession(SECRET, `${v}.${payload}`, 1_000).ok, false);
  assert.equal(openSession(SECRET, `v2.${payload}.${sig}`, 1_000).ok, false);
});

test('an id is refused once its expiry has passed, and says when it expired', () => {
  const id = sealSession(SECRET, session);
  const late = openSession(SECRET, id, session.expiresAt);
  assert.equal(late.ok, false);
  assert.match(late.ok ? '' : late.reason, /expired at 2033/);
});

test('the credential differs for another token digest and another key', () => {
  const a = credentialOf(SECRET, 'a'.repeat(64));
  assert.notEqual(a, credentialOf(SECRET, 'b'.repeat(64)));
  assert.notEqual(a, credentialOf('z'.repeat(64), 'a'.repeat(64)));
});
