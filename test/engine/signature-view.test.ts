import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outlineFile } from '../../src/engine/languages/index.ts';
import { renderMode } from '../../src/engine/read/measure-modes.ts';

const signaturesOf = async (file: string, source: string) =>
  renderMode('signatures', file, source, await outlineFile(file, source));

test('comments inside a declaration never reach its signature', async () => {
  const ts = [
    'export const parse: <T>(',
    '  schema: T,',
    '  // _params?: { callee?: Function }',
    ') => T = /* @__PURE__ */ make();',
    'export function f(a: number /* the count */, b: string): void {}',
    '',
  ].join('\n');
  const sig = await signaturesOf('a.ts', ts);
  assert.match(sig, /^export const parse: <T>\(schema: T\) => T$/m);
  assert.match(sig, /^export function f\(a: number, b: string\): void$/m);
  assert.doesNotMatch(sig, /_params|PURE|the count/);
  const py = await signaturesOf('a.py', 'def f(self) -> int:  # pragma: no cover\n    return 1\n');
  assert.match(py, /^def f\(self\) -> int$/m);
});

test('long default values fold to … while names, types and short defaults stay', async () => {
  const py = await signaturesOf(
    'a.py',
    'def f(a: int = 1, text: str = "[progress.percentage]{task.percentage:>3.0f}%", flag=None):\n    pass\n',
  );
  assert.match(py, /^def f\(a: int = 1, text: str = …, flag=None\)$/m);
  const ts = await signaturesOf(
    'a.ts',
    'export function g(x = 2, label: string = "a very long default label") {}\n',
  );
  assert.match(ts, /^export function g\(x = 2, label: string = …\)$/m);
});

test('a typed constant shows its type, an untyped one its short value, a literal stays', async () => {
  const sig = await signaturesOf(
    'a.ts',
    'export const A: Factory<A> = create("a", (x) => x);\nexport const N: number = 3;\nexport const B = 1;\n',
  );
  assert.deepEqual(sig.split('\n'), [
    'export const A: Factory<A>',
    'export const N: number = 3',
    'export const B = 1',
  ]);
});

test('repeated long type parameter lists and member signatures point back to their first showing', async () => {
  const ts = [
    'export interface Box<Item extends Record<string, unknown> = Record<string, unknown>> { get(): Item }',
    'export class BoxImpl<Item extends Record<string, unknown> = Record<string, unknown>> {}',
    '',
  ].join('\n');
  const sig = await signaturesOf('a.ts', ts);
  assert.match(
    sig,
    /^export interface Box<Item extends Record<string, unknown> = Record<string, unknown>>$/m,
  );
  assert.match(sig, /^export class BoxImpl<…as in Box>$/m);
  const py = [
    'class A:',
    '    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_val: Optional[BaseException]) -> None: ...',
    'class B:',
    '    def __exit__(self, exc_type: Optional[Type[BaseException]], exc_val: Optional[BaseException]) -> None: ...',
    '',
  ].join('\n');
  const pySig = await signaturesOf('a.py', py);
  assert.match(pySig, /^ def __exit__\(self, exc_type/m);
  assert.match(pySig, /^ def __exit__\(…as in A\.__exit__\)$/m);
});

test('an overload implementation that repeats an overload word for word is shown once', async () => {
  const ts = [
    'export function s(p?: string): S;',
    'export function s<T extends string>(p?: string): T;',
    'export function s(p?: string): S { return make(p); }',
    '',
  ].join('\n');
  const lines = (await signaturesOf('a.ts', ts)).split('\n').filter((l) => l.includes('function s'));
  assert.deepEqual(lines, [
    'export function s(p?: string): S',
    'export function s<T extends string>(p?: string): T',
  ]);
});

test('the exports line lists only what the view does not already mark as exported', async () => {
  const ts = [
    'export { helper } from "./helper";',
    'function local() {}',
    'export { local };',
    'export function shown() {}',
    '',
  ].join('\n');
  const sig = await signaturesOf('a.ts', ts);
  assert.match(sig, /^exports: helper, local$/m);
  assert.match(sig, /^export function shown\(\)$/m);
  const aggressive = await renderMode('aggressive', 'a.ts', ts, await outlineFile('a.ts', ts));
  assert.match(aggressive, /^exports: helper, local, shown$/m);
});
