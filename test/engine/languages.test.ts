import assert from 'node:assert/strict';
import { test } from 'node:test';
import { languageOf, outlineFile } from '../../src/engine/languages/index.ts';

interface Case {
  file: string;
  source: string;
  /** `kind parent.name` of every symbol, in order. */
  symbols: string[];
  imports: string[];
}

const CASES: Case[] = [
  {
    file: 'a.ts',
    source:
      'import x from "./z";\nexport const f = (a: number): string => "s";\nexport class C<T> { private n = 1; m(a: T): void {} }\ninterface I { g(): void }\ntype T = string;\nenum E { A }\nnamespace N { export function h() {} }\n',
    symbols: [
      'function f',
      'class C',
      'field C.n',
      'method C.m',
      'interface I',
      'method I.g',
      'type T',
      'enum E',
      'module N',
      'function N.h',
    ],
    imports: ['./z'],
  },
  {
    file: 'a.tsx',
    source: 'import React from "react";\nexport function App(): JSX.Element { return <div/>; }\n',
    symbols: ['function App'],
    imports: ['react'],
  },
  {
    file: 'a.js',
    source: 'const fs = require("fs");\nfunction a() {}\nclass B { c() {} }\nexports.d = function () {};\n',
    symbols: ['constant fs', 'function a', 'class B', 'method B.c', 'function d'],
    imports: ['fs'],
  },
  {
    file: 'a.py',
    source:
      'import os\nfrom a.b import c\nX = 1\n@dec\nclass A(B):\n    def m(self): pass\nasync def f(): pass\n',
    symbols: ['constant X', 'class A', 'method A.m', 'function f'],
    imports: ['os', 'a.b'],
  },
  {
    file: 'a.go',
    source:
      'package p\nimport "fmt"\ntype S struct { A int }\ntype I interface { M() }\nconst C = 1\nfunc F() {}\nfunc (s *S) M() {}\n',
    symbols: ['struct S', 'interface I', 'constant C', 'function F', 'method S.M'],
    imports: ['fmt'],
  },
  {
    file: 'a.rs',
    source:
      'use std::io;\npub struct S { a: i32 }\npub trait T { fn m(&self); }\nimpl T for S { fn m(&self) {} }\npub fn f() {}\nmod m { fn g() {} }\n',
    symbols: ['struct S', 'trait T', 'method T.m', 'method S.m', 'function f', 'module m', 'function m.g'],
    imports: ['std::io'],
  },
  {
    file: 'A.java',
    source:
      'import java.util.List;\npublic class A { private int x; public A() {} void m() {} }\ninterface I { void f(); }\nenum E { X }\n',
    symbols: ['class A', 'field A.x', 'method A.A', 'method A.m', 'interface I', 'method I.f', 'enum E'],
    imports: ['java.util.List'],
  },
  {
    file: 'a.c',
    source:
      '#include <stdio.h>\n#define N 3\nstruct P { int a; };\nstatic int h(void) { return 0; }\ntypedef int T;\nint proto(char *s);\n',
    symbols: ['constant N', 'struct P', 'function h', 'type T', 'function proto'],
    imports: ['stdio.h'],
  },
  {
    file: 'a.cpp',
    source:
      '#include "x.h"\nnamespace ns { class A { public: int f(int x); }; }\nint A::f(int x) { return x; }\ntemplate<typename T> struct S { T v; };\n',
    symbols: ['module ns', 'class ns.A', 'method A.f', 'method A.f', 'struct S', 'field S.v'],
    imports: ['x.h'],
  },
  {
    file: 'a.cs',
    source:
      'using System;\nnamespace N { public class A { public int P { get; set; } public void M() {} } interface I { void F(); } }\n',
    symbols: ['module N', 'class N.A', 'field A.P', 'method A.M', 'interface N.I', 'method I.F'],
    imports: ['System'],
  },
  {
    file: 'a.rb',
    source:
      'require "json"\nmodule M\n  class A < B\n    X = 1\n    def m(a)\n    end\n  end\nend\ndef top; end\n',
    symbols: ['module M', 'class M.A', 'field A.X', 'method A.m', 'function top'],
    imports: ['json'],
  },
  {
    file: 'a.php',
    source:
      '<?php\nuse Foo\\Bar;\nfunction f($a) { return 1; }\nclass A { public function m() {} }\ninterface I {}\ntrait T {}\n',
    symbols: ['function f', 'class A', 'method A.m', 'interface I', 'trait T'],
    imports: ['Foo\\Bar'],
  },
  {
    file: 'a.sh',
    source: 'source ./lib.sh\nFOO=1\nfunction f() { echo; }\ng() { :; }\n',
    symbols: ['constant FOO', 'function f', 'function g'],
    imports: ['./lib.sh'],
  },
  {
    file: 'a.scala',
    source:
      'import b.c._\nobject O { def m(x: Int): Int = x }\ntrait T { def t(): Unit }\ncase class K(x: Int)\n',
    symbols: ['class O', 'method O.m', 'trait T', 'method T.t', 'class K'],
    imports: ['b.c._'],
  },
];

for (const c of CASES) {
  test(`tree-sitter outlines ${languageOf(c.file)}: definitions, members and imports`, async () => {
    const o = await outlineFile(c.file, c.source);
    assert.equal(o.parser, 'tree-sitter');
    assert.deepEqual(
      o.symbols.map((s) => `${s.kind} ${s.parent ? `${s.parent}.` : ''}${s.name}`),
      c.symbols,
    );
    assert.deepEqual(o.imports, c.imports);
    for (const s of o.symbols) {
      assert.ok(s.signature.length > 0 && !s.signature.includes('\n'), `${s.name}: one-line signature`);
      assert.ok(s.startLine >= 1 && s.endLine >= s.startLine);
    }
  });
}

test('signatures leave bodies out and exports follow each language rule', async () => {
  const ts = await outlineFile(
    'a.ts',
    'export function add(a: number, b: number): number {\n  return a + b;\n}\nfunction hidden() {}\n',
  );
  assert.equal(ts.symbols[0]?.signature, 'export function add(a: number, b: number): number');
  assert.deepEqual(ts.exports, ['add']);
  const go = await outlineFile('a.go', 'package p\nfunc Public() {}\nfunc private() {}\n');
  assert.deepEqual(go.exports, ['Public']);
  const py = await outlineFile('a.py', 'def shown(): pass\ndef _hidden(): pass\n');
  assert.deepEqual(py.exports, ['shown']);
});

test('the regex fallback still gives signatures for other languages and markdown headings', async () => {
  const kt = await outlineFile('a.kt', 'import a.b\nclass X {\n  fun y(a: Int): Int = a\n}\nfun top() {}\n');
  assert.equal(kt.parser, 'regex');
  assert.deepEqual(
    kt.symbols.map((s) => `${s.kind} ${s.name} ${s.startLine}-${s.endLine}`),
    ['class X 2-4', 'method y 3-3', 'function top 5-5'],
  );
  assert.deepEqual(kt.imports, ['a.b']);
  const md = await outlineFile('README.md', '# Title\ntext\n## Part\nmore\n');
  assert.deepEqual(
    md.symbols.map((s) => s.name),
    ['Title', 'Part'],
  );
  const plain = await outlineFile('notes', 'just text');
  assert.equal(plain.language, undefined);
  assert.deepEqual(plain.symbols, []);
});

test('a file with syntax errors still yields the definitions around them', async () => {
  const o = await outlineFile('b.ts', 'function ok() {}\nconst = = ;\nclass Still {}\n');
  assert.ok(o.symbols.some((s) => s.name === 'ok'));
  assert.ok(o.symbols.some((s) => s.name === 'Still'));
});
