import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

test('a SQLite error in the background usage and event writes is logged; the server keeps serving', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bg-failures-'));
  const secret = createTokenSecret('alice');
  const config = join(dir, 'team.json');
  writeFileSync(
    config,
    JSON.stringify({
      port: 0,
      auditLogPath: join(dir, 'audit.log'),
      dataDir: join(dir, 'data'),
      workspaces: [{ id: 'main', root: makeTree(SAMPLE_FILES) }],
      tokens: [{ id: 'alice', sha256Hex: sha256Hex(secret), role: 'admin' }],
    }),
  );
  const serve = startCli(['team', 'serve', '--config', config]);
  try {
    const out = await serve.waitFor(/Tools: \d+ available/);
    const url = `http://127.0.0.1:${/127\.0\.0\.1:(\d+)/.exec(out)?.[1]}`;
    // A second connection makes every insert fail, as a full disk or a broken file would.
    const db = new Database(join(dir, 'data', 'leanctx.db'));
    db.exec(`CREATE TRIGGER usage_fails BEFORE INSERT ON usage BEGIN SELECT RAISE(ABORT, 'usage insert refused'); END;
             CREATE TRIGGER events_fail BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'event insert refused'); END;`);
    db.close();
    const call = () =>
      fetch(`${url}/v1/tools/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ctx_tree', arguments: {} }),
      });
    for (let i = 0; i < 3; i++) assert.equal((await call()).status, 200);
    await serve.waitFor('usage insert refused', 10_000);
    await serve.waitFor('event insert refused', 10_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(serve.child.exitCode, null, `the server is still running:\n${serve.stderr()}`);
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await call()).status, 200);
  } finally {
    await serve.kill();
  }
});
