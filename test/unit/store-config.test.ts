import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, parseTeamConfig } from '../../src/config/team-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'store-cfg-'));
const base = { workspaces: [{ id: 'main', root: '.' }] };

const parse = (raw: Record<string, unknown>, env: Record<string, string> = {}) =>
  parseTeamConfig({ ...base, ...raw }, dir, 'team.json', undefined, { env });

function problems(raw: Record<string, unknown>, env: Record<string, string> = {}): string[] {
  try {
    parse(raw, env);
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return [...err.problems];
  }
  assert.fail('the config was accepted');
}

test('without a store block or LEANCTX_DATABASE_URL the store is SQLite, as before', () => {
  assert.deepEqual(parse({}).store, { kind: 'sqlite' });
});

test('LEANCTX_DATABASE_URL alone selects PostgreSQL; an explicit sqlite block wins over it', () => {
  const env = { LEANCTX_DATABASE_URL: 'postgres://lean@db:5432/leanctx' };
  assert.deepEqual(parse({}, env).store, {
    kind: 'postgres',
    url: 'postgres://lean@db:5432/leanctx',
    statementTimeoutMs: 10_000,
    connectTimeoutMs: 5_000,
    maxConnections: 10,
  });
  assert.deepEqual(parse({ store: { kind: 'sqlite' } }, env).store, { kind: 'sqlite' });
});

test('store.url expands ${VAR}, and timeouts default to a third of requestTimeoutMs', () => {
  const store = parse(
    { store: { kind: 'postgres', url: 'postgresql://lean:${PGPASS}@db/leanctx' }, requestTimeoutMs: 3000 },
    { PGPASS: 's3cret' },
  ).store;
  assert.deepEqual(store, {
    kind: 'postgres',
    url: 'postgresql://lean:s3cret@db/leanctx',
    statementTimeoutMs: 1000,
    connectTimeoutMs: 1000,
    maxConnections: 10,
  });
});

test('a bad store block is refused with its field named, never echoing a password', () => {
  assert.deepEqual(problems({ store: { kind: 'postgres' } }), [
    'store.url: give the PostgreSQL URL (postgres://user:pass@host:5432/db) or set LEANCTX_DATABASE_URL',
  ]);
  const [wrongScheme] = problems({ store: { kind: 'postgres', url: 'mysql://root:hunter2@db/x' } });
  assert.match(
    wrongScheme ?? '',
    /^store\.url: "mysql:\/\/root:\*\*\*@db\/x" is not a postgres:\/\/ or postgresql:\/\/ URL$/,
  );
  assert.deepEqual(problems({ store: { kind: 'postgres', url: 'postgres://db/x${NOPE}' } }), [
    'store.url: environment variable NOPE is not set; export it or remove the ${NOPE} reference',
  ]);
  assert.match(
    problems({ store: { kind: 'postgres', url: 'postgres://db/x', statementTimeoutMs: 30_000 } }).join('\n'),
    /store\.statementTimeoutMs: 30000 is not below requestTimeoutMs \(30000\)/,
  );
  assert.match(problems({ store: { kind: 'mongo' } }).join('\n'), /^store\.kind/m);
  assert.match(problems({ store: { kind: 'sqlite', url: 'x' } }).join('\n'), /url/);
});
