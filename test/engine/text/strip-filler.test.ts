import assert from 'node:assert/strict';
import { test } from 'node:test';
import { protectedSpansOf } from '../../../src/engine/text/protected-spans.ts';
import { stripFiller } from '../../../src/engine/text/strip-filler.ts';

const FENCED = '```ts\n// Great question! basically kept\nconst url = "https://x.dev/a?b=1";\n```';

test('pleasantries, hedges and a restating summary go; code, paths, URLs and numbers stay', () => {
  const input = [
    'Great question! I would be happy to help with that.',
    '',
    'Basically, call `parseUrl(input)` in order to read the host. It is important to note that src/url/parse.ts handles IPv6 since v2.3.1.',
    '',
    FENCED,
    '',
    'See https://nodejs.org/api/url.html for details; the timeout is 30s and MAX_RETRIES is 3.',
    '',
    'In summary, call it to read the host.',
    '',
    'I hope this helps! Let me know if you have any other questions.',
    '',
  ].join('\n');
  const out = stripFiller(input, 'response');
  assert.equal(
    out.text,
    [
      'Call `parseUrl(input)` to read the host. src/url/parse.ts handles IPv6 since v2.3.1.',
      '',
      FENCED,
      '',
      'See https://nodejs.org/api/url.html for details; the timeout is 30s and MAX_RETRIES is 3.',
      '',
    ].join('\n'),
  );
  assert.equal(out.sentencesDropped, 5);
});

test('a sentence that names code is never dropped, even when it reads like a pleasantry', () => {
  const input = 'Thanks for asking about `ctx_read`! Thanks for asking.\n';
  assert.equal(stripFiller(input, 'response').text, 'Thanks for asking about `ctx_read`!\n');
});

test('memory mode keeps headings and tables as they are and drops repeated rules', () => {
  const input = [
    '# Rules for   agents',
    '',
    '| key | value |',
    '|-----|-------|',
    '| please | basically |',
    '',
    '- Please make sure to run `npm test` before committing.',
    '- Please make sure to run `npm test` before committing.',
    '- You should always use ESM imports from ./src/index.ts.',
    '',
    '',
    '',
    'It is very important that you never push to main.',
    '',
  ].join('\n');
  assert.equal(
    stripFiller(input, 'memory').text,
    [
      '# Rules for   agents',
      '',
      '| key | value |',
      '|-----|-------|',
      '| please | basically |',
      '',
      '- Run `npm test` before committing.',
      '- Always use ESM imports from ./src/index.ts.',
      '',
      'Never push to main.',
      '',
    ].join('\n'),
  );
});

// A small seeded generator: texts mixing filler, code, paths, URLs and numbers at random.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const PIECES = [
  'Sure!',
  'Great question!',
  'I hope this helps.',
  'Basically, the cache is keyed by path.',
  'Call `readForContext(ctx, req)` first.',
  'The limit is 1024 bytes and 64 KiB for lines.',
  'See src/engine/read/cache.ts and ../docs/README.md for more.',
  'Docs: https://example.com/a/b?c=d#e.',
  'Use --fresh or -f to re-send; the exit code is 2.',
  'It seems like HTTP2 and snake_case_name both matter.',
  'In summary, the cache is keyed by path.',
  'Let me know if you need more.',
];

test('random mixes: every protected span and every fenced block survives byte for byte', () => {
  const next = rng(42);
  let checkedSpans = 0;
  for (let round = 0; round < 300; round++) {
    const lines: string[] = [];
    const fences: string[] = [];
    const n = 2 + Math.floor(next() * 8);
    for (let i = 0; i < n; i++) {
      if (next() < 0.15) {
        const block = `\`\`\`\nSure! ${PIECES[Math.floor(next() * PIECES.length)]}\n  x = ${round}\n\`\`\``;
        fences.push(block);
        lines.push(block);
        continue;
      }
      const k = 1 + Math.floor(next() * 4);
      lines.push(Array.from({ length: k }, () => PIECES[Math.floor(next() * PIECES.length)]).join(' '));
    }
    const input = lines.join('\n\n');
    const out = stripFiller(input, next() < 0.5 ? 'response' : 'memory').text;
    for (const f of fences) assert.ok(out.includes(f), `fenced block lost in round ${round}`);
    const prose = lines.filter((l) => !l.startsWith('```'));
    for (const span of prose.flatMap(protectedSpansOf)) {
      // memory mode drops a repeated line whole; its spans are still in the line it repeats
      assert.ok(
        out.includes(span),
        `span ${JSON.stringify(span)} lost in round ${round}:\n${input}\n---\n${out}`,
      );
      checkedSpans++;
    }
    assert.ok(out.length <= input.length);
  }
  assert.ok(checkedSpans > 1000, `only ${checkedSpans} spans were checked`);
});

test('hostile lines (long dashed runs, one huge word, deep paths) come back whole, in linear time', () => {
  const hostile = [
    'a-'.repeat(60_000),
    'x'.repeat(200_000),
    '/a'.repeat(60_000),
    'a.'.repeat(60_000),
    `\`${'b'.repeat(50_000)}`,
    `https://x.dev/${'q'.repeat(60_000)}`,
    `${'1,'.repeat(60_000)}`,
  ];
  for (const line of hostile) {
    const out = stripFiller(`Sure! ${line}\n`, 'response').text;
    assert.ok(out.includes(line), `lost part of a ${line.length}-char line starting ${line.slice(0, 8)}`);
  }
});
