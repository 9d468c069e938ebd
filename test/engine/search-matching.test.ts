import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compilePattern } from '../../src/engine/search/compile-pattern.ts';
import { matchLines } from '../../src/engine/search/match-lines.ts';
import { bloomTest, buildBlockBlooms, buildBloom } from '../../src/engine/search/trigram-bloom.ts';
import { requiredTrigrams } from '../../src/engine/search/trigram-query.ts';

function lines(text: string, pattern: string): [number, string][] {
  const out: [number, string][] = [];
  matchLines(text, compilePattern(pattern), (n, t) => {
    out.push([n, t]);
    return true;
  });
  return out;
}

test('matchLines reports each matching line once, numbered from 1, without its line ending', () => {
  assert.deepEqual(lines('a x x\nb\nc x\n', 'x'), [
    [1, 'a x x'],
    [3, 'c x'],
  ]);
  assert.deepEqual(lines('one\r\ntwo\r\n', 'two'), [[2, 'two']]);
  assert.deepEqual(lines('last line no newline', 'newline$'), [[1, 'last line no newline']]);
});

test('matchLines judges each line alone, as ripgrep does: no match runs across a newline', () => {
  assert.deepEqual(lines('foo\nbar\n', 'foo\\sbar'), []);
  assert.deepEqual(lines('foo \nbar\n', 'foo\\s'), [[1, 'foo ']]);
  assert.deepEqual(lines('a\n\nb\n', '^$'), [[2, '']]);
  assert.deepEqual(lines('', '^'), []);
  assert.deepEqual(lines('x\n', '^'), [[1, 'x']]);
});

test('with CRLF endings, $ does not match before the \\r (ripgrep without --crlf)', () => {
  assert.deepEqual(lines('hello\r\nhello', 'hello$'), [[2, 'hello']]);
});

test('compilePattern accepts ripgrep spellings JS lacks: leading (?i) and POSIX classes', () => {
  assert.deepEqual(lines('Registry\n', '(?i)registry'), [[1, 'Registry']]);
  assert.deepEqual(lines('ab12\n', '[[:digit:]]{2}'), [[1, 'ab12']]);
});

test('required trigrams: literal runs, alternation, optional parts and classes', () => {
  assert.deepEqual(requiredTrigrams('a.c', false), { op: 'all' });
  assert.equal(requiredTrigrams('foo|x', false).op, 'all');
  assert.equal(requiredTrigrams('foo|bar', false).op, 'or');
  assert.equal(requiredTrigrams('(abc)?', false).op, 'all');
  assert.equal(requiredTrigrams('abc+', false).op, 'tri');
  assert.equal(requiredTrigrams('createElement', false).op, 'and');
});

// Small alphabets make matches common, so the property is exercised both ways.
const atom = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'A', 'B', '_', ' ', 'ab', 'abc', 'bca', 'ſ', 'K', 'é'),
  fc.constantFrom('.', '\\w', '\\s', '[ab]', '[^c]', '\\b', '^', '$', '\\.'),
);
const quant = fc.constantFrom('', '', '', '?', '*', '+', '{2}', '{0,2}', '{1,}');
const regexArb = fc
  .array(
    fc.oneof(
      fc.tuple(atom, quant).map(([a, q]) => (a.length > 1 && q ? `(?:${a})${q}` : `${a}${q}`)),
      fc.tuple(atom, atom).map(([a, b]) => `(${a}|${b})`),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => parts.join(''));
const textArb = fc
  .array(fc.constantFrom('a', 'b', 'c', 'A', 'B', 'C', '_', ' ', '\n', 'ſ', 'K', 'é', 'abc', 'bca', '.'), {
    maxLength: 60,
  })
  .map((p) => p.join(''));

test('property: the trigram filter never rules out a text the regex matches', () => {
  fc.assert(
    fc.property(regexArb, textArb, fc.boolean(), (source, text, ignoreCase) => {
      let compiled: ReturnType<typeof compilePattern>;
      try {
        compiled = compilePattern(source, { ignoreCase });
      } catch {
        return true;
      }
      let matched = false;
      matchLines(text, compiled, () => {
        matched = true;
        return false;
      });
      if (!matched) return true;
      const bloom = buildBloom(text);
      const test = bloomTest(requiredTrigrams(compiled.body, compiled.caseInsensitive));
      return test(bloom.bits, 0, bloom.shift);
    }),
    { numRuns: 3000 },
  );
});

/** Hits of a pattern when only the blocks whose filter passes are searched, as the index does. */
function blockLines(text: string, pattern: string): [number, string][] {
  const compiled = compilePattern(pattern);
  const mayMatch = bloomTest(requiredTrigrams(compiled.body, compiled.caseInsensitive));
  const blocks = buildBlockBlooms(text);
  assert.ok(blocks, 'the text spans several blocks');
  const out: [number, string][] = [];
  blocks.blooms.forEach((bloom, k) => {
    if (!mayMatch(bloom.bits, 0, bloom.shift)) return;
    const range = {
      start: blocks.starts[k]!,
      end: blocks.starts[k + 1] ?? text.length,
      line: blocks.lines[k]!,
    };
    matchLines(text, compiled, (n, t) => out.push([n, t]) > 0, range);
  });
  return out;
}

test('block filters and ranges find exactly the lines a whole-file scan finds, with the same numbers', () => {
  const rows: string[] = [];
  for (let i = 0; i < 900; i++) {
    if (i % 97 === 0) rows.push(`public class Parse${i}Exception extends RuntimeException {`);
    else if (i % 41 === 0) rows.push(`  // TODO(owner): fix ${i}\r`);
    else if (i % 13 === 0) rows.push(`  throw new IllegalStateException("class ${i}");`);
    else rows.push(`  int value${i} = compute(${i}); // class member`);
  }
  const text = `${rows.join('\n')}\n`;
  for (const pattern of [
    'class \\w+Exception',
    'TODO\\(',
    'value\\d+ = compute',
    '^$',
    'Exception"\\)',
    'zzz',
  ]) {
    assert.deepEqual(blockLines(text, pattern), lines(text, pattern), pattern);
  }
  assert.equal(lines(text, 'class \\w+Exception').length, 10);
  assert.deepEqual(lines(text, 'TODO\\(')[0], [42, '  // TODO(owner): fix 41\r'.slice(0, -1)]);
});

test('required literals are the runs every match contains, longest first, none under case folding', () => {
  assert.deepEqual(compilePattern('class \\w+Exception').literals, ['Exception', 'class ']);
  assert.deepEqual(compilePattern('def __init__\\(self\\)').literals, ['def __init__(self)']);
  assert.deepEqual(compilePattern('fn\\s+parse_\\w+').literals, ['parse_']);
  assert.deepEqual(compilePattern('(foo|bar)baz').literals, ['baz']);
  assert.deepEqual(compilePattern('foo|bar').literals, []);
  assert.deepEqual(compilePattern('Exception', { ignoreCase: true }).literals, []);
});
