import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ExtractedFile, extractFileHere } from '../../../src/engine/graph/extract-file.ts';
import { GRAMMARS, type GrammarId } from '../../../src/engine/languages/grammars.ts';

/** Per grammar: a file that defines `greet`, which calls `helper` (bash has no call sites). */
const SAMPLES: Record<GrammarId, [path: string, text: string]> = {
  typescript: ['a.ts', 'export function greet() {\n  return helper();\n}\n'],
  tsx: ['a.tsx', 'export function greet() {\n  return <b>{helper()}</b>;\n}\n'],
  javascript: ['a.js', 'function greet() {\n  return helper();\n}\n'],
  python: ['a.py', 'def greet():\n    return helper()\n'],
  go: ['a.go', 'package a\n\nfunc greet() int {\n\treturn helper()\n}\n'],
  rust: ['a.rs', 'fn greet() -> i32 {\n    helper()\n}\n'],
  java: ['A.java', 'class A {\n  int greet() {\n    return helper();\n  }\n}\n'],
  c: ['a.c', 'int greet(void) {\n  return helper();\n}\n'],
  cpp: ['a.cpp', 'int greet() {\n  return helper();\n}\n'],
  csharp: ['A.cs', 'class A {\n  int greet() {\n    return helper();\n  }\n}\n'],
  ruby: ['a.rb', 'def greet\n  helper()\nend\n'],
  php: ['a.php', '<?php\nfunction greet() {\n  return helper();\n}\n'],
  bash: ['a.sh', 'greet() {\n  helper\n}\n'],
  scala: ['a.scala', 'object A {\n  def greet(): Int = helper()\n}\n'],
};

async function extract(path: string, text: string): Promise<ExtractedFile> {
  const x = await extractFileHere({ rel: path, text });
  assert.ok(!('unchanged' in x));
  return x;
}

test('every grammar is read by tree-sitter, its definitions and its call sites found', async () => {
  for (const grammar of Object.keys(GRAMMARS) as GrammarId[]) {
    const [path, text] = SAMPLES[grammar];
    const x = await extract(path, text);
    assert.equal(x.outline.parser, 'tree-sitter', grammar);
    assert.ok(
      x.outline.symbols.some((s) => s.name === 'greet'),
      `${grammar}: ${JSON.stringify(x.outline.symbols)}`,
    );
    // a method's caller is qualified by its class (`A.greet`)
    const callees = x.calls.map((c) => `${c.callee} in ${c.caller?.replace(/^A\./, '')}`);
    assert.deepEqual(callees, grammar === 'bash' ? [] : ['helper in greet'], grammar);
  }
});

test('calls on one line come outermost first, as they are written', async () => {
  const x = await extract('a.ts', 'f(g(h()));\na.b().c(new D());\n');
  assert.deepEqual(
    x.calls.map((c) => [c.line, c.callee, c.receiver]),
    [
      [1, 'f', ''],
      [1, 'g', ''],
      [1, 'h', ''],
      [2, 'c', 'a.b()'],
      [2, 'b', 'a'],
      [2, 'D', ''],
    ],
  );
});
