import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Node, Query } from 'web-tree-sitter';
import {
  createParser,
  type GrammarId,
  grammarFilePath,
  loadLanguage,
} from '../../src/engine/languages/grammars.ts';
import { grammarOf, languageOf, outlineFile } from '../../src/engine/languages/index.ts';
import { renderMode } from '../../src/engine/read/measure-modes.ts';
import { listFiles, smallCorpus } from '../helpers/corpus.ts';

/** Nodes between the root and a top-level definition; anything else means it is nested. */
const PASS_THROUGH = new Set([
  'program',
  'module',
  'source_file',
  'export_statement',
  'lexical_declaration',
  'variable_declaration',
  'expression_statement',
  'ambient_declaration',
  'decorated_definition',
  'type_declaration',
]);

async function tagsQuery(grammar: GrammarId): Promise<Query> {
  const lang = await loadLanguage(grammar);
  const own = readFileSync(grammarFilePath(grammar, 'queries/tags.scm'), 'utf8');
  // the TypeScript tags build on the JavaScript ones
  const base =
    grammar === 'typescript' || grammar === 'tsx'
      ? readFileSync(grammarFilePath('javascript', 'queries/tags.scm'), 'utf8')
      : '';
  return new Query(lang, `${base}\n${own}`);
}

/** Names of top-level definitions the grammar's own tags.scm finds: an oracle independent of our walker. */
function topLevelTagNames(query: Query, root: Node): Set<string> {
  const names = new Set<string>();
  for (const match of query.matches(root)) {
    const def = match.captures.find((c) => c.name.startsWith('definition.'))?.node;
    const name = match.captures.find((c) => c.name === 'name')?.node;
    if (!def || !name) continue;
    let top = true;
    for (let p = def.parent; p; p = p.parent) {
      if (!PASS_THROUGH.has(p.type)) {
        top = false;
        break;
      }
    }
    if (top) names.add(name.text);
  }
  return names;
}

async function checkNamesKept(
  dir: string,
  files: readonly string[],
): Promise<{ names: number; misses: string[] }> {
  const queries = new Map<GrammarId, Query>();
  const misses: string[] = [];
  let names = 0;
  for (const rel of files) {
    const text = readFileSync(join(dir, rel), 'utf8');
    const grammar = grammarOf(languageOf(rel));
    assert.ok(grammar, rel);
    let query = queries.get(grammar);
    if (!query) {
      query = await tagsQuery(grammar);
      queries.set(grammar, query);
    }
    const parser = await createParser(grammar);
    const tree = parser.parse(text);
    assert.ok(tree);
    const expected = topLevelTagNames(query, tree.rootNode);
    tree.delete();
    parser.delete();
    const outline = await outlineFile(rel, text);
    assert.equal(outline.parser, 'tree-sitter');
    const signatures = await renderMode('signatures', rel, text, outline);
    const map = await renderMode('map', rel, text, outline);
    for (const name of expected) {
      names++;
      if (!signatures.includes(name)) misses.push(`${rel}: signatures lack ${name}`);
      if (!map.includes(name)) misses.push(`${rel}: map lacks ${name}`);
    }
  }
  return { names, misses };
}

test('signatures and map keep every top-level name tags.scm finds, over the whole small corpus', async () => {
  const dir = smallCorpus();
  const files = listFiles(dir, ['.ts', '.py', '.go']);
  assert.ok(files.length > 500, `corpus has ${files.length} files`);
  const { names, misses } = await checkNamesKept(dir, files);
  assert.ok(names > 2500, `only ${names} names checked`);
  assert.deepEqual(misses.slice(0, 20), []);
});

test('signatures and map keep every top-level name in JavaScript of installed packages (hono, MCP SDK)', async () => {
  const dir = join(process.cwd(), 'node_modules');
  const files = [
    ...listFiles(join(dir, 'hono/dist/cjs'), ['.js']).map((f) => `hono/dist/cjs/${f}`),
    ...listFiles(join(dir, '@modelcontextprotocol/sdk/dist/esm'), ['.js']).map(
      (f) => `@modelcontextprotocol/sdk/dist/esm/${f}`,
    ),
  ];
  assert.ok(files.length > 200, `${files.length} files`);
  const { names, misses } = await checkNamesKept(dir, files);
  assert.ok(names > 300, `only ${names} names checked`);
  assert.deepEqual(misses.slice(0, 20), []);
});

test('full and lines reads are byte-exact on real files', async () => {
  const { createDirectTools } = await import('../helpers/tool-context.ts');
  const dir = smallCorpus();
  const tools = createDirectTools(dir);
  try {
    const files = listFiles(dir, ['.ts', '.py', '.go']).filter((_, i) => i % 7 === 0);
    for (const rel of files) {
      const bytes = readFileSync(join(dir, rel), 'utf8');
      const full = await tools.text('ctx_read', { path: rel, mode: 'full' });
      assert.equal(full.slice(full.indexOf('\n') + 1), bytes, rel);
      const lines = bytes.split('\n');
      if (bytes.endsWith('\n')) lines.pop();
      const from = Math.max(1, Math.floor(lines.length / 3));
      const to = Math.min(lines.length, from + 25);
      const out = await tools.text('ctx_read', { path: rel, mode: `lines:1-2,${from}-${to}` });
      const body = out.split('\n').slice(1, -1);
      const expected = [
        ...lines.slice(0, 2).map((l, i) => `${i + 1}|${l}`),
        ...lines.slice(from - 1, to).map((l, i) => `${from + i}|${l}`),
      ];
      assert.deepEqual(body, expected.slice(0, body.length), rel);
      assert.equal(body.length, Math.min(2, lines.length) + (to - from + 1), rel);
    }
  } finally {
    await tools.close();
  }
});
