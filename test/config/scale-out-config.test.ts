import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseTeamConfig } from '../../src/config/team-config.ts';

const root = mkdtempSync(join(tmpdir(), 'scale-out-cfg-'));
const base = { workspaces: [{ id: 'main', root }] };
const parse = (extra: Record<string, unknown>, env: Record<string, string> = {}) =>
  parseTeamConfig({ ...base, ...extra }, root, 'team.json', undefined, { env });

test('without redis and sessionSecret nothing changes: both undefined', () => {
  const cfg = parse({});
  assert.equal(cfg.redis, undefined);
  assert.equal(cfg.sessionSecret, undefined);
});

test('redis and sessionSecret from team.json, ${VAR} expanded, defaults applied', () => {
  const cfg = parse(
    { redis: { url: 'redis://${RHOST}:6379' }, sessionSecret: '${SECRET}' },
    { RHOST: 'cache', SECRET: 'x'.repeat(40) },
  );
  assert.deepEqual(cfg.redis, { url: 'redis://cache:6379', keyPrefix: 'leanctx:', readStateTtlSec: 86_400 });
  assert.equal(cfg.sessionSecret, 'x'.repeat(40));
});

test('LEANCTX_REDIS_URL and LEANCTX_SESSION_SECRET win over the file', () => {
  const cfg = parse(
    { redis: { url: 'redis://file:6379', keyPrefix: 'team-a:' }, sessionSecret: 'f'.repeat(40) },
    { LEANCTX_REDIS_URL: 'redis://env:6380', LEANCTX_SESSION_SECRET: 'e'.repeat(40) },
  );
  assert.equal(cfg.redis?.url, 'redis://env:6380');
  assert.equal(cfg.redis?.keyPrefix, 'team-a:');
  assert.equal(cfg.sessionSecret, 'e'.repeat(40));
});

test('an unset variable, a short secret and a non-redis URL are each named', () => {
  assert.throws(
    () => parse({ redis: { url: 'http://x' }, sessionSecret: '${NOPE}' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.message, /redis\.url: must start with redis:\/\//);
      assert.match(err.message, /environment variable NOPE is not set/);
      assert.match(err.message, /sessionSecret: 0 characters is too short/);
      return true;
    },
  );
});

test('redis without a session secret loads, with a notice saying what it costs', () => {
  const cfg = parse({ redis: { url: 'redis://127.0.0.1:6379' } });
  assert.ok(cfg.notices.some((n) => /sessionSecret/.test(n)));
});
