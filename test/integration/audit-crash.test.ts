import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

test('a server killed with SIGKILL under load leaves an audit file in which every line parses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-crash-'));
  const root = makeTree(SAMPLE_FILES);
  execFileSync('git', ['init', '-q'], { cwd: root });
  const config = join(dir, 'team.json');
  const auditPath = join(dir, 'audit.log');
  writeFileSync(
    config,
    JSON.stringify({
      port: 0,
      auditLogPath: auditPath,
      maxRps: 100_000,
      rateBurst: 100_000,
      maxConcurrency: 256,
      workspaces: [{ id: 'main', root }],
    }),
  );
  const token = runCli([
    'team',
    'token',
    'create',
    '--config',
    config,
    '--id',
    'load',
    '--role',
    'admin',
  ]).stdout.trim();
  const serve = startCli(['team', 'serve', '--config', config]);
  const out = await serve.waitFor(/Tools: \d+ available/);
  const base = `http://127.0.0.1:${/:(\d+)\n/.exec(out)?.[1]}`;

  let sent = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && sent < 5000) {
      sent++;
      await fetch(`${base}/v1/tools/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          name: 'ctx_read',
          arguments: { path: 'src/index.ts', mode: `lines:1-${1 + (sent % 3)}` },
        }),
      }).catch(() => undefined);
    }
  };
  const workers = Array.from({ length: 16 }, worker);
  // Kill once a good number of lines are being written concurrently.
  while (sent < 400) await new Promise((r) => setTimeout(r, 10));
  await serve.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);

  const text = readFileSync(auditPath, 'utf8');
  const lines = text.split('\n');
  assert.equal(lines.at(-1), '', 'the file ends with a newline: no torn last line');
  const entries = lines.slice(0, -1).map((line, i) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return assert.fail(`line ${i + 1} does not parse: ${line.slice(0, 200)}`);
    }
  });
  assert.ok(entries.length >= 100, `expected many audit lines, got ${entries.length}`);
  for (const e of entries) {
    assert.equal(e.tokenId, 'load');
    assert.match(String(e.argumentsMd5), /^[0-9a-f]{32}$/);
  }

  // A restarted server appends after the last whole line.
  const again = startCli(['team', 'serve', '--config', config]);
  const out2 = await again.waitFor(/Tools: \d+ available/);
  const base2 = `http://127.0.0.1:${/:(\d+)\n/.exec(out2)?.[1]}`;
  await fetch(`${base2}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ctx_tree' }),
  });
  await again.kill();
  const after = readFileSync(auditPath, 'utf8').trim().split('\n');
  for (const line of after) JSON.parse(line);
  assert.equal(JSON.parse(after.at(-1) as string).tool, 'ctx_tree');
});
