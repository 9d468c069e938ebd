import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseHistory } from '../../../src/tools/provider/ctx-discover.ts';
import { callTool, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

let srv: RunningTestServer;
let teamSrv: RunningTestServer;
const savedHome = process.env.HOME;
const savedHistfile = process.env.HISTFILE;

async function call(name: string, args: Record<string, unknown>, target = srv): Promise<string> {
  const res = await callTool(target, 'dev', { name, arguments: args, contextId: 'd' });
  const body = (await res.json()) as { result?: { content: { text: string }[] }; error?: string };
  return body.result?.content.map((c) => c.text).join('\n') ?? body.error ?? '';
}

before(async () => {
  // a home of our own, so the machine's real history never enters the figures
  const home = mkdtempSync(join(tmpdir(), 'leanctx-home-'));
  process.env.HOME = home;
  delete process.env.HISTFILE;
  writeFileSync(
    join(home, '.bash_history'),
    ['#1700000000', 'git log', 'git log -n 5', 'ls', 'git status', 'git log'].join('\n'),
  );
  writeFileSync(
    join(home, '.zsh_history'),
    [': 1700000001:0;git log --oneline', ': 1700000002:0;cd src'].join('\n'),
  );
  const tokens = [{ id: 'dev', scopes: ['search', 'exec'] }];
  srv = await startTestServer({ tokens, workspace: { allowExec: true, shellHistory: true } });
  teamSrv = await startTestServer({ tokens, workspace: { allowExec: true } });
  const git = (...a: string[]) =>
    execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...a], { cwd: srv.root });
  git('init', '-q');
  for (let i = 1; i <= 40; i++) {
    writeFileSync(join(srv.root, 'n.txt'), `${i}\n`);
    git('add', '-A');
    git('commit', '-q', '-m', `change ${i}: a longer message that makes the log worth compressing`);
  }
});

after(async () => {
  process.env.HOME = savedHome;
  if (savedHistfile !== undefined) process.env.HISTFILE = savedHistfile;
  await srv?.close();
  await teamSrv?.close();
});

test('history files are read in bash, zsh and fish formats', () => {
  assert.deepEqual(
    parseHistory('#1700000000\ngit log\n: 1700000001:0;npm test\n- cmd: cargo build\n  when: 1700000002\n'),
    ['git log', 'npm test', 'cargo build'],
  );
});

test('ctx_discover ranks raw runs and history commands the rules would have shrunk, from measured figures', async () => {
  const before = await call('ctx_discover', {});
  assert.match(before, /ctx_shell log: 0 runs/);
  assert.match(before, /git log +×3 in shell history · a rule exists \(git log\); not measured here yet/);

  assert.match(await call('ctx_shell', { command: 'git log' }), /tok saved/);
  assert.match(await call('ctx_shell', { command: 'git log --stat' }), /tok saved/);
  await call('ctx_shell', { command: 'git log', raw: true });
  // the raw run's would-be figure is measured after its answer went out
  let found = '';
  for (let i = 0; i < 50 && !/with raw: true/.test(found); i++) {
    await new Promise((r) => setTimeout(r, 100));
    found = await call('ctx_discover', {});
  }
  assert.match(found, /ctx_shell log: 3 runs/);
  assert.match(
    found,
    /git log +×1 with raw: true · [\d,]+ tok sent, [\d,]+ with the rules · [\d,]+ tok \(\d+%\) to save/,
  );
  assert.match(
    found,
    /git log +×3 in shell history · measured here: [\d,]+ → [\d,]+ tok a run \(\d+%, 2 runs\) · ~[\d,]+ tok to save/,
  );
  assert.match(found, /git status +×1 in shell history · a rule exists/);
  assert.match(found, /Already compressed by ctx_shell: 2 runs/);
  assert.match(
    found,
    /5 commands from ~\/\.bash_history.*2 commands from ~\/\.zsh_history|2 commands from ~\/\.zsh_history.*5 commands/,
  );
  const one = await call('ctx_discover', { limit: 1 });
  assert.match(one, /… \d+ more \(raise limit\)/);
});

test('a team server does not read the server user’s shell history', async () => {
  const text = await call('ctx_discover', {}, teamSrv);
  assert.match(text, /shell history not read: on a team server/);
  assert.doesNotMatch(text, /in shell history/);
});
