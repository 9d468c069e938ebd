import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinTools } from '../../../src/tools/all-tools.ts';
import { requiredScopes } from '../../../src/tools/define-tool.ts';
import { makeGitRepo } from '../../helpers/git-repo.ts';
import { createDirectTools } from '../../helpers/tool-context.ts';

const REPO = {
  'src/billing.ts':
    'export function computeInvoiceTotal(items: number[]) {\n  return items.reduce((a, b) => a + b, 0);\n}\n',
  'src/auth.py': 'def verify_password(hashed, plain):\n    return hashed == plain\n',
  'src/util.go': 'package util\n\nfunc ReverseString(s string) string {\n\treturn s\n}\n',
};

test('ctx_semantic_search ranks by BM25 by default, and says plainly when asked for a mode it lacks', async () => {
  const tools = createDirectTools(makeGitRepo(REPO));
  try {
    const plain = await tools.text('ctx_semantic_search', { query: 'invoice total' });
    assert.match(
      plain,
      /^--- Result 1 \(score: \d+\.\d\d\) ---\nsrc\/billing\.ts :: computeInvoiceTotal \[function\] \(L1-3\)\n {3}1\| export function/,
    );
    const bm25 = await tools.text('ctx_semantic_search', { query: 'password', mode: 'bm25' });
    assert.match(bm25, /^--- Result 1 .*\nsrc\/auth\.py :: verify_password/);
    const dense = await tools.text('ctx_semantic_search', { query: 'password', mode: 'dense' });
    assert.match(
      dense,
      /^\[mode=dense: no embedding model is configured, so results are ranked by BM25 only\]\n/,
    );
    const hybrid = await tools.text('ctx_semantic_search', { query: 'password', mode: 'hybrid' });
    assert.match(hybrid, /^\[mode=hybrid: no embedding model/);
  } finally {
    await tools.close();
  }
});

test('languages and path_glob narrow the results; reindex reports what it parsed', async () => {
  const tools = createDirectTools(makeGitRepo(REPO));
  try {
    const go = await tools.text('ctx_semantic_search', {
      query: 'string password invoice',
      languages: ['go'],
      mode: 'bm25',
    });
    assert.match(go, /src\/util\.go :: ReverseString/);
    assert.doesNotMatch(go, /auth\.py|billing\.ts/);
    const globbed = await tools.text('ctx_semantic_search', {
      query: 'password invoice',
      path_glob: '**/*.ts',
      mode: 'bm25',
    });
    assert.doesNotMatch(globbed, /auth\.py/);
    assert.match(
      await tools.text('ctx_semantic_search', { action: 'reindex' }),
      /^Reindexed 3 files under \. in \d+ ms \(3 indexed\)\.$/,
    );
    assert.match(
      await tools.text('ctx_semantic_search', { query: 'nothingmatches', mode: 'bm25' }),
      /^0 results for "nothingmatches" in 3 files/,
    );
  } finally {
    await tools.close();
  }
});

test('reindex needs the index scope and artifacts the artifacts scope', () => {
  const tool = builtinTools().find((t) => t.name === 'ctx_semantic_search')!;
  assert.deepEqual(requiredScopes(tool, { query: 'x' }), ['search']);
  assert.deepEqual(requiredScopes(tool, { action: 'reindex' }), ['search', 'index']);
  assert.deepEqual(requiredScopes(tool, { query: 'x', artifacts: true }), ['search', 'artifacts']);
});
