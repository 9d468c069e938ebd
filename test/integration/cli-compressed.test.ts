import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCli } from '../helpers/cli.ts';

let repo: string;

before(() => {
  repo = mkdtempSync(join(tmpdir(), 'leanctx-c-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Ada', '-c', 'user.email=ada@example.com', ...args], { cwd: repo });
  git('init', '-q');
  for (let i = 1; i <= 60; i++) {
    writeFileSync(join(repo, 'a.txt'), `line ${i}\n`);
    git('add', '-A');
    git(
      'commit',
      '-q',
      '-m',
      i === 60 ? 'fix: crash in src/a.ts:12 when empty' : `change ${i}: tune the numbers`,
    );
  }
});

test('lean-ctx -c prints the output compressed, the figures on stderr, and passes the exit code through', () => {
  const raw = execFileSync('git', ['log'], { cwd: repo, encoding: 'utf8' });
  const r = runCli(['-c', 'git log'], { cwd: repo });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.length < raw.length, 'smaller than the raw output');
  assert.match(r.stdout, /fix: crash in src\/a\.ts:12 when empty/, 'the file:line survives');
  assert.match(r.stderr, /^\[lean-ctx -c: exit 0 · [\d,]+ → [\d,]+ o200k tokens \(git log/m);

  const failing = runCli(['-c', 'echo "error: it broke at src/x.ts:3:1" >&2; exit 7'], { cwd: repo });
  assert.equal(failing.status, 7);
  assert.match(failing.stdout, /error: it broke at src\/x\.ts:3:1/, 'stderr joins the output');
  assert.match(failing.stderr, /exit 7/);

  const killed = runCli(['-c', "sh -c 'kill -TERM $$'"], { cwd: repo });
  assert.equal(killed.status, 143, 'a signal is 128+n');
});

test('lean-ctx -c without a command says how to give one', () => {
  const r = runCli(['-c']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /-c takes one argument, the whole command in quotes/);
  assert.match(runCli(['--help']).stdout, /-c, --command <command>/);
});
