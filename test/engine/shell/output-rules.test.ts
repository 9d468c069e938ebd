import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compressOutput } from '../../../src/engine/shell/compress-output.ts';
import { countTokens } from '../../../src/engine/tokens.ts';
import { SHELL_FIXTURES } from '../../helpers/shell-fixtures.ts';
import { lostFrom } from '../../helpers/shell-oracle.ts';

// Tools absent on this machine: their documented output formats (see the fixtures file).
for (const { family, command, output } of SHELL_FIXTURES) {
  test(`${command} (captured format): ${family ? `the ${family} rule sends fewer tokens` : 'all key lines, sent as they are'}, and no error line or file:line is lost`, async () => {
    const out = await compressOutput(command, output);
    assert.deepEqual(lostFrom(output, out.text), [], out.text);
    if (!family) {
      assert.ok(countTokens(out.text) <= countTokens(output));
      return;
    }
    assert.ok(out.rules.includes(family), `${command}: rules ${out.rules.join(', ')}\n${out.text}`);
    assert.ok(countTokens(out.text) < countTokens(output), out.text);
  });
}

test('a rule that would drop an error line is not applied: the oracle gate keeps the raw lines', async () => {
  // `du` sorts, and an error line between entries has no size: the rule keeps it, so it is applied
  const du = `${Array.from({ length: 40 }, (_, i) => `${i + 1}K\t./dir${i}`).join('\n')}\ndu: cannot read directory './locked': Permission denied\n`;
  const out = await compressOutput('du -h', du);
  assert.ok(out.text.includes("du: cannot read directory './locked': Permission denied"));
  assert.ok(out.rules.includes('du'));
  assert.match(out.text, /^40K\t\.\/dir39$/m);
  assert.match(out.text, /15 smaller entries omitted/);
});

test('large JSON output becomes its shape, and lines holding an error stay as they were', async () => {
  const items = Array.from({ length: 200 }, (_, i) => ({
    id: i,
    name: `item ${i}`,
    tags: ['a', 'b'],
    price: i * 1.5,
  }));
  const json = JSON.stringify(
    { items, next: null, meta: { total: 200, error: 'partial: shard 3 timed out' } },
    null,
    2,
  );
  const out = await compressOutput('curl -s http://127.0.0.1:8080/items', json);
  assert.ok(out.rules.includes('JSON shape'), out.rules.join());
  assert.match(out.text, /items: \[200 × \{ id: 0, name: "item 0", tags: \[2 × "a"\], price: 0 \}\]/);
  assert.ok(out.text.includes('"error": "partial: shard 3 timed out"'));
  assert.ok(out.tokensSent * 20 < out.tokensRaw);
});

test('git blame: one header per run of lines from one commit, every line number and code line kept', async () => {
  const code = [
    'import { a } from "./a";',
    'export function f(x) {',
    '  if (!x) return null;',
    '  const y = a(x);',
    '  return y * 2;',
    '}',
  ];
  const blame = Array.from({ length: 30 }, (_, i) => {
    const sha = i < 20 ? '^7d4faad' : '3c2b1a09';
    const who =
      i < 20 ? 'Ada Lovelace  2026-11-22 01:42:22 +0000' : 'Grace Hopper  2026-11-30 10:00:00 +0000';
    return `${sha} (${who} ${String(i + 1).padStart(2)}) ${code[i % 6]}`;
  }).join('\n');
  const out = await compressOutput('git blame src/a.ts', blame);
  assert.deepEqual(out.rules.slice(0, 1), ['git blame']);
  assert.equal(out.text.match(/^@ /gm)?.length, 2);
  for (let i = 0; i < 30; i++)
    assert.ok(out.text.split('\n').includes(`${i + 1} ${code[i % 6]}`), `line ${i + 1}`);
});
