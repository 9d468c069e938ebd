import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { countTokens as exactO200k } from 'gpt-tokenizer/encoding/o200k_base';
import {
  countBounded,
  countTokens,
  countTokensAsync,
  hasLongRun,
  MAX_RUN_CHARS,
} from '../../src/engine/tokens.ts';

test('code and prose count exactly as o200k_base counts them', () => {
  const source = readFileSync(new URL('../../src/pipeline/invoke.ts', import.meta.url), 'utf8');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const text of [source, readme, 'héllo wörld — naïve café', '  indented\n\n\tline\r\n']) {
    // a special token in the text is counted as plain text, as the tool counts it
    assert.equal(countTokens(text), exactO200k(text, { disallowedSpecial: new Set() }));
  }
});

test('a 2,000,000-character word counts in seconds, within one token per slice of the exact count', () => {
  const started = performance.now();
  const huge = countTokens('a'.repeat(2_000_000));
  assert.ok(performance.now() - started < 5000, 'linear, not the quadratic 40 minutes');
  assert.ok(huge > 0);
  for (const run of ['a'.repeat(4000), ' '.repeat(4000), '!'.repeat(4000), `x${'é'.repeat(3000)}y`]) {
    const exact = exactO200k(run);
    const slices = Math.ceil(run.length / MAX_RUN_CHARS);
    assert.ok(
      Math.abs(countTokens(run) - exact) <= slices,
      `${run.slice(0, 3)}…: ${countTokens(run)} vs ${exact}`,
    );
  }
});

test('the long-run scan agrees with the plain regex on random runs of letters, marks, symbols, digits and spaces', () => {
  // the definition: MAX_RUN_CHARS code points of one class in a row
  const n = MAX_RUN_CHARS;
  const model = new RegExp(`[\\p{L}\\p{M}]{${n}}|[^\\s\\p{L}\\p{N}]{${n}}|\\s{${n}}`, 'u');
  // ASCII, Latin-1, a combining mark (letter and symbol both), Unicode spaces, astral letter and emoji, CJK, a non-ASCII digit
  const alphabet = [
    'a',
    'Z',
    '7',
    ' ',
    '\n',
    '\t',
    '.',
    '/',
    '_',
    'é',
    '\u0301',
    '\u00a0',
    '\u2003',
    '→',
    '𝒜',
    '😀',
    '中',
    '٣',
  ];
  let seed = 7;
  const rand = (k: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % k;
  };
  const counts = { long: 0, short: 0 };
  for (let i = 0; i < 3000; i++) {
    let text = '';
    for (let parts = rand(12); parts >= 0; parts--) {
      const ch = alphabet[rand(alphabet.length)]!;
      // around the limit most of the time: n - 1, n, n + 1 code points
      text += ch.repeat(rand(3) === 0 ? n - 2 + rand(4) : 1 + rand(20));
    }
    const want = model.test(text);
    assert.equal(hasLongRun(text), want, JSON.stringify(text));
    counts[want ? 'long' : 'short']++;
  }
  assert.ok(counts.long > 300 && counts.short > 300, `both outcomes checked: ${JSON.stringify(counts)}`);
});

test('a text holding a special token is counted as plain text, not refused', () => {
  assert.equal(
    countTokens('see <|endoftext|> here'),
    exactO200k('see <|endoftext|> here', { disallowedSpecial: new Set() }),
  );
});

test('a large text counted on a worker thread gets the same count as on the main thread', async () => {
  const text = `${'const value = compute(input) + 1;\n'.repeat(4000)}${'z'.repeat(10_000)}`;
  assert.equal(await countTokensAsync(text), countBounded(text));
});
