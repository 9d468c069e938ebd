import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { makeGitRepo } from '../../helpers/git-repo.ts';
import { createDirectTools, type DirectTools } from '../../helpers/tool-context.ts';

let tools: DirectTools;
const many: Record<string, string> = { '.gitignore': 'dist/\n', 'dist/x.ts': 'hit in dist\n' };
for (let i = 0; i < 12; i++)
  many[`src/f${String(i).padStart(2, '0')}.ts`] = `  hit one ${i}\nnothing\n  hit two ${i}\n`;
many['src/long.ts'] = `hit ${'y'.repeat(500)}\n`;
many['notes/readme.md'] = 'hit in markdown\n';
many['keys/deploy.pem'] = 'hit in a key\n';

before(() => {
  tools = createDirectTools(makeGitRepo(many));
});
after(() => tools.close());

test('ctx_search shows max_results lines and archives every hit for ctx_expand', async () => {
  const text = await tools.text('ctx_search', { pattern: 'hit', max_results: 5 });
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 5), [
    'notes/readme.md:1 hit in markdown',
    'src/f00.ts:1 hit one 0',
    'src/f00.ts:3 hit two 0',
    'src/f01.ts:1 hit one 1',
    'src/f01.ts:3 hit two 1',
  ]);
  const summary =
    /\[5 of 26 matches shown \(14 files\); all 26: ctx_expand id="([0-9a-f]{16})"\] \(1 secret-looking files not searched\)/.exec(
      text,
    );
  assert.ok(summary, text);
  assert.match(lines.at(-1)!, /^\[\d+ tok saved \(\d+%\)\]$/);
  const all = await tools.text('ctx_expand', { id: summary[1] });
  assert.equal(all.split('\n').length, 26);
  assert.match(all, /src\/long\.ts:1:hit y{500}$/m);
  const ranged = await tools.text('ctx_expand', { id: summary[1], start_line: 2, end_line: 3 });
  assert.match(ranged, /\n {5}2\|src\/f00\.ts:1: {2}hit one 0\n {5}3\|src\/f00\.ts:3: {2}hit two 0$/);
  const grep = await tools.text('ctx_expand', { id: summary[1], search: 'f1[01]' });
  assert.equal(grep.split('\n').length, 5);
  assert.match(
    await tools.text('ctx_expand', { action: 'list' }),
    new RegExp(`^${summary[1]} ctx_search "hit"`, 'm'),
  );
});

test('a long line is shortened in the reply, says by how much, and is whole in the archive', async () => {
  const text = await tools.text('ctx_search', { pattern: 'y{100}' });
  assert.match(text, /^src\/long\.ts:1 hit y+…\(\+304 chars\)$/m);
  assert.match(text, /full lines: ctx_expand id=/);
});

test('ctx_search filters by ext and path, and honours ignore_gitignore', async () => {
  assert.match(
    await tools.text('ctx_search', { pattern: 'hit', ext: 'md' }),
    /^notes\/readme\.md:1 hit in markdown\n\[1 matches in 1 files\]/,
  );
  assert.match(await tools.text('ctx_search', { pattern: 'hit', path: 'notes' }), /^notes\/readme\.md:1/);
  assert.match(
    await tools.text('ctx_search', { pattern: 'in dist' }),
    /^0 matches for "in dist" in \d+ files/,
  );
  assert.match(
    await tools.text('ctx_search', { pattern: 'in dist', ignore_gitignore: true }),
    /^dist\/x\.ts:1 hit in dist/,
  );
});

test('bad input is an error naming the problem', async () => {
  for (const [args, why] of [
    [{ pattern: '(unclosed' }, /invalid regex "\(unclosed"/],
    [{ pattern: 'x', ext: 'ts;rm' }, /bad ext "ts;rm"/],
    [{ pattern: 'x', path: 'nope' }, /no such file or directory: "nope"/],
    [{ pattern: 'x', path: 'keys/deploy.pem' }, /secret file/],
  ] as const) {
    const result = await tools.call('ctx_search', args);
    assert.equal(result.isError, true);
    const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
    assert.match(text, why);
  }
});

test('ctx_expand with an unknown id or past the end is an error', async () => {
  for (const args of [{ id: '0000000000000000' }, { id: '../../etc/passwd' }, {}]) {
    assert.equal((await tools.call('ctx_expand', args)).isError, true);
  }
});
