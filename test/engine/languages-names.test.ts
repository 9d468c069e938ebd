import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outlineFile } from '../../src/engine/languages/index.ts';
import { renderMode } from '../../src/engine/read/measure-modes.ts';

test('a C typedef of a struct or enum keeps its name in signatures, named or anonymous, short or long', async () => {
  const fields = Array.from({ length: 30 }, (_, i) => `  int field_${i};`).join('\n');
  const src = `typedef struct _Tagged {\n  int a;\n} TaggedRec;\ntypedef struct {\n${fields}\n} LongAnonRec, *LongAnonPtr;\ntypedef enum { A, B } Flags;\n`;
  const outline = await outlineFile('x.c', src);
  const out = await renderMode('signatures', 'x.c', src, outline);
  for (const name of ['TaggedRec', 'LongAnonRec', 'LongAnonPtr', 'Flags'])
    assert.ok(out.includes(name), `${name} in:\n${out}`);
  assert.ok(!out.includes('field_29'), 'a long field list is elided');
});

test('ruby `class << Const` is an outline entry with its methods', async () => {
  const src = 'class << Benchmark\n  def ms\n    1\n  end\nend\n';
  const { symbols } = await outlineFile('b.rb', src);
  assert.deepEqual(
    symbols.map((s) => [s.kind, s.name, s.parent ?? null]),
    [
      ['class', 'Benchmark', null],
      ['method', 'ms', 'Benchmark'],
    ],
  );
});
