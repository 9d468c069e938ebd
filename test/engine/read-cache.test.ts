import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import { createReadCache } from '../../src/engine/read/cache.ts';
import { createDirectTools } from '../helpers/tool-context.ts';

test('the cache keeps at most maxContexts contexts and maxChars of text, oldest out first', () => {
  const cache = createReadCache({ maxContexts: 2, maxFilesPerContext: 2, maxChars: 10 });
  cache.setFull('a', 'x', 'h1', '12345');
  cache.setFull('b', 'x', 'h1', '12345');
  cache.setFull('c', 'x', 'h1', '1');
  assert.equal(cache.get('a', 'x'), undefined, 'context a was the least recently used');
  assert.equal(cache.status().contexts, 2);
  cache.setFull('c', 'y', 'h2', '12345678');
  assert.ok(cache.status().chars <= 10);
  cache.touch('c', 'z');
  assert.equal(cache.entries('c').length, 2);
  assert.equal(cache.invalidate('z'), 1);
  cache.invalidate();
  assert.deepEqual(
    { ...cache.status(), limits: undefined },
    { contexts: 0, files: 0, chars: 0, limits: undefined },
  );
});

const root = mkdtempSync(join(tmpdir(), 'read-prop-'));
const tools = createDirectTools(root);
after(() => tools.close());

const FILES = ['a.ts', 'b.py', 'c.md'] as const;
const MODES = ['full', 'diff', 'auto', 'map', 'signatures'] as const;

type Op =
  | { kind: 'read'; slot: number; file: number; mode: number; fresh: boolean }
  | { kind: 'edit'; file: number; content: string }
  | { kind: 'reconnect'; slot: number };

// a long unchanging head keeps diffs small next to the file, so the diff path runs too
const STABLE = Array.from(
  { length: 30 },
  (_, i) => `export function keep${i}(x: number) { return x * ${i}; }\n`,
).join('');
const contentArb = fc
  .array(fc.constantFrom('export const a = 1;', 'def f(x):', '  return x', '# Title', 'class K {}', ''), {
    minLength: 1,
    maxLength: 12,
  })
  .map((lines) => `${STABLE}${lines.join('\n')}\n`);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      slot: fc.integer({ min: 0, max: 3 }),
      file: fc.integer({ min: 0, max: 2 }),
      mode: fc.integer({ min: 0, max: MODES.length - 1 }),
      fresh: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      file: fc.integer({ min: 0, max: 2 }),
      content: contentArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reconnect' as const), slot: fc.integer({ min: 0, max: 2 }) }),
  },
);

test('property: no stub or diff ever reaches a context that did not receive the content', async () => {
  let run = 0;
  const seen = { stubs: 0, diffs: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 10, maxLength: 60, size: 'max' }), async (ops) => {
      run++;
      const disk = FILES.map((f, i) => `${STABLE}// ${run} ${f}\nexport const start${i} = ${i};\n`);
      for (const [i, f] of FILES.entries()) writeFileSync(join(root, f), disk[i] ?? '');
      // slot 3 has no context id at all
      const ids: (string | undefined)[] = [`r${run}-s0`, `r${run}-s1`, `r${run}-s2`, undefined];
      let generation = 0;
      // what each context really holds: full text per file, and views (mode@text)
      const held = new Map<string, string>();
      const views = new Set<string>();
      for (const op of ops) {
        if (op.kind === 'edit') {
          disk[op.file] = op.content;
          writeFileSync(join(root, FILES[op.file] as string), op.content);
          continue;
        }
        if (op.kind === 'reconnect') {
          ids[op.slot] = `r${run}-s${op.slot}-g${++generation}`;
          continue;
        }
        const id = ids[op.slot];
        const file = FILES[op.file] as string;
        const mode = MODES[op.mode] as string;
        const out = await tools.text(
          'ctx_read',
          { path: file, mode, fresh: op.fresh },
          id === undefined ? {} : { contextId: id },
        );
        const current = disk[op.file] as string;
        const key = `${id}|${file}`;
        const head = out.split('\n')[0] ?? '';
        const stub = / unchanged: this context received this exact (content|(\w+) view)/.exec(head);
        if (stub) {
          seen.stubs++;
          assert.ok(id !== undefined, 'stub sent to a caller without a context');
          assert.ok(!op.fresh, 'stub sent for fresh=true');
          const ok = stub[2] ? views.has(`${key}|${stub[2]}|${current}`) : held.get(key) === current;
          assert.ok(ok, `stub for ${file} to ${id}, which never received this content`);
        } else if (/\[changed since read/.test(out)) {
          assert.ok(id !== undefined && held.has(key), `diff sent to ${id}, which holds no earlier version`);
          seen.diffs++;
          held.set(key, current);
        } else if (out.slice(out.indexOf('\n') + 1) === current) {
          if (id !== undefined) held.set(key, current);
        } else if (id !== undefined) {
          const resolved = /\[auto:(\w+)\]/.exec(head)?.[1] ?? mode;
          views.add(`${key}|${resolved}|${current}`);
        }
      }
    }),
    { numRuns: 60 },
  );
  // The property is only worth something if stubs and diffs were actually exercised; over
  // 60 random runs there are typically 50-100 stubs, so 20 is a floor no lucky seed misses.
  assert.ok(seen.stubs >= 20 && seen.diffs >= 10, JSON.stringify(seen));
});
