import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ripgrepKeys as ripgrepKeysUnder } from '../../scripts/ripgrep-keys.ts';
import { createSearchEngine, type SearchEngine } from '../../src/engine/search/search-engine.ts';
import type { SearchRequest } from '../../src/engine/search/types.ts';
import { smallCorpus } from '../helpers/corpus.ts';

// Patterns an agent writes: identifiers, definitions, alternations, classes, anchors, case folds.
const PATTERNS = [
  'TODO',
  'func\\s+\\w+',
  'import (\\w+) from',
  'class [A-Z]\\w*Error',
  '\\bif\\b',
  '^$',
  '^\\s*return',
  'z\\.(string|number)\\(\\)',
  '(?i)registry',
  'Histogram|Summary',
  '[0-9]{4}',
  'def __\\w+__\\(self',
  'a.c',
  '\\(\\)',
  'ZZZ_NOT_THERE',
];

let root: string;
let engine: SearchEngine;

before(async () => {
  root = smallCorpus();
  engine = createSearchEngine(root);
});
after(() => engine.close());

const ripgrepKeys = (pattern: string, extra: string[] = []) => ripgrepKeysUnder(root, pattern, extra);

const request = (pattern: string, extra: Partial<SearchRequest> = {}): SearchRequest => ({
  pattern,
  path: '',
  exts: [],
  ignoreGitignore: false,
  maxHits: 1_000_000,
  ...extra,
});

/** One search on a fresh engine: nothing cached, so ripgrep or a scan answers. */
async function coldSearch(req: SearchRequest) {
  const fresh = createSearchEngine(root);
  try {
    return await fresh.search(req);
  } finally {
    fresh.close();
  }
}

const keys = (hits: { path: string; line: number }[]) => hits.map((h) => `${h.path}:${h.line}`).sort();

test('the cold answer (ripgrep) has exactly ripgrep hit set for every pattern', async () => {
  for (const p of PATTERNS) {
    const out = await coldSearch(request(p));
    assert.deepEqual(keys(out.hits), ripgrepKeys(p), p);
  }
});

test('the warm answer (in-memory index) has exactly ripgrep hit set for every pattern', async () => {
  await engine.warm();
  for (const p of PATTERNS) {
    const out = await engine.search(request(p));
    assert.equal(out.via, 'index', p);
    assert.deepEqual(keys(out.hits), ripgrepKeys(p), p);
  }
});

test('a subdirectory scanned in-process has the hits ripgrep finds under it', async () => {
  const dir = 'deb/python3-rich';
  for (const p of ['def \\w+', 'Console', '^import']) {
    const cold = await coldSearch(request(p, { path: dir }));
    assert.equal(cold.via, 'scan');
    const expected = ripgrepKeys(p).filter((k) => k.startsWith(`${dir}/`));
    assert.deepEqual(keys(cold.hits), expected, p);
    await engine.warm();
    assert.deepEqual(keys((await engine.search(request(p, { path: dir }))).hits), expected, p);
  }
});

test('the ext filter matches ripgrep --glob *.ext, on both paths', async () => {
  const expected = ripgrepKeys('export', ['--glob', '*.go', '--glob', '*.py']);
  const cold = await coldSearch(request('export', { exts: ['go', 'py'] }));
  assert.deepEqual(keys(cold.hits), expected);
  await engine.warm();
  assert.deepEqual(keys((await engine.search(request('export', { exts: ['go', 'py'] }))).hits), expected);
});

test('hits come sorted by path, then line, on every path', async () => {
  await engine.warm();
  for (const out of [await coldSearch(request('return')), await engine.search(request('return'))]) {
    const sorted = [...out.hits].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line,
    );
    assert.deepEqual(out.hits, sorted);
    assert.ok(out.hits.length > 100);
  }
});
