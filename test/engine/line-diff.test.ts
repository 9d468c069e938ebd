import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { countChanges, type DiffOp, diffLines, formatCompactDiff } from '../../src/engine/read/line-diff.ts';

/** Length of the longest common subsequence, by the textbook table: the independent model. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++) {
      row[j] = a[i - 1] === b[j - 1] ? (prev[j - 1] ?? 0) + 1 : Math.max(prev[j] ?? 0, row[j - 1] ?? 0);
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The ops replay both texts exactly, with every line number where it belongs. */
function assertReplays(ops: readonly DiffOp[], a: readonly string[], b: readonly string[]): void {
  let i = 0;
  let j = 0;
  for (const o of ops) {
    if (o.op === '+') {
      assert.equal(o.line, j + 1);
      assert.equal(o.text, b[j]);
      j++;
      continue;
    }
    assert.equal(o.line, i + 1);
    assert.equal(o.text, a[i]);
    if (o.op === '=') {
      assert.equal(o.text, b[j]);
      j++;
    }
    i++;
  }
  assert.equal(i, a.length, 'every old line accounted for');
  assert.equal(j, b.length, 'every new line accounted for');
}

const linesArb = fc.array(fc.constantFrom('a', 'b', 'c', 'd', '', '}'), { maxLength: 40 });

test('property: the diff replays both texts and is minimal (as many changes as the LCS allows)', () => {
  let changed = 0;
  fc.assert(
    fc.property(linesArb, linesArb, (a, b) => {
      const ops = diffLines(a, b);
      assertReplays(ops, a, b);
      const { added, removed } = countChanges(ops);
      const common = lcsLength(a, b);
      assert.equal(removed, a.length - common);
      assert.equal(added, b.length - common);
      if (added + removed > 0) changed++;
    }),
    { numRuns: 2000 },
  );
  assert.ok(changed > 1000, `only ${changed} runs had changes`);
});

test('a 50,000-line file with a few edits diffs within seconds to exactly those edits', () => {
  const a = Array.from({ length: 50_000 }, (_, i) => `  const value${i} = compute(${i % 97});`);
  const b = a.slice();
  b[10] = '  const changed = 1;';
  b.splice(25_000, 2);
  b.splice(49_000, 0, '  // added', '  // lines');
  const started = Date.now();
  const ops = diffLines(a, b);
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  assertReplays(ops, a, b);
  assert.deepEqual(countChanges(ops), { added: 3, removed: 3 });
  assert.equal(
    formatCompactDiff(ops),
    [
      '10:   const value9 = compute(9);',
      '-11:   const value10 = compute(10);',
      '+11:   const changed = 1;',
      '12:   const value11 = compute(11);',
      '…',
      '25000:   const value24999 = compute(70);',
      '-25001:   const value25000 = compute(71);',
      '-25002:   const value25001 = compute(72);',
      '25003:   const value25002 = compute(73);',
      '…',
      '49002:   const value49001 = compute(16);',
      '+49001:   // added',
      '+49002:   // lines',
      '49003:   const value49002 = compute(17);',
    ].join('\n'),
  );
});

test('two unrelated 50,000-line files still diff exactly, within seconds, when the search budget runs out', () => {
  const a = Array.from({ length: 50_000 }, (_, i) => `old ${i}`);
  const b = Array.from({ length: 50_000 }, (_, i) => (i % 3 === 0 ? `old ${i}` : `new ${i}`));
  const started = Date.now();
  const ops = diffLines(a, b);
  assert.ok(Date.now() - started < 5_000, `took ${Date.now() - started} ms`);
  assertReplays(ops, a, b);
});
