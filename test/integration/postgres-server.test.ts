import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { callTool, startTestServer } from '../helpers/team-server.ts';

describe('a team server on PostgreSQL', () => {
  let db: TestDatabase;
  before(async () => {
    db = await withTestDatabase();
  });
  after(async () => {
    await db?.drop();
  });

  test('events written by the server are what `session list` reads back through the same store', async () => {
    const srv = await startTestServer({
      tokens: [
        { id: 'cursor', role: 'member' },
        { id: 'claude-code', role: 'member' },
      ],
      config: { store: { kind: 'postgres', url: db.url } },
    });
    try {
      for (const as of ['cursor', 'claude-code']) {
        const r = await callTool(srv, as, { name: 'ctx_tree', channelId: 'feat/pg' });
        assert.equal(r.status, 200, await r.text());
      }
      const h = (await (await srv.request('/healthz')).json()) as {
        dependencies: Record<string, { ok: boolean }>;
      };
      assert.equal(h.dependencies.postgres?.ok, true);
    } finally {
      await srv.close();
    }
    const r = runCli(['session', 'list', '--config', join(srv.dir, 'team.json'), '--workspace', 'main']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /channel: feat\/pg rev:4 agents: claude-code, cursor|channel: feat\/pg rev:4 agents: cursor, claude-code/,
    );
  });

  test('a CLI whose PostgreSQL is unreachable says where it looked and how to mend it, without the password', async () => {
    const srv = await startTestServer({});
    await srv.close();
    const r = runCli(['session', 'list', '--config', join(srv.dir, 'team.json')], {
      env: { LEANCTX_DATABASE_URL: 'postgres://lean:pw-secret@127.0.0.1:1/leanctx' },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /lean-ctx: PostgreSQL at 127\.0\.0\.1:1\/leanctx is unavailable \(.*ECONNREFUSED.*\); check that it is running/,
    );
    assert.ok(!r.stderr.includes('pw-secret'));
  });
});
