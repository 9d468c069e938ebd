import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createDirectTools } from '../../helpers/tool-context.ts';

const root = mkdtempSync(join(tmpdir(), 'dedup-'));
mkdirSync(join(root, 'src'));
const shared = Array.from({ length: 10 }, (_, i) => `  total += values[${i}] * weight(${i}, "w${i}");`);
const fileWith = (name: string) =>
  `export function ${name}(values: number[]): number {\n  let total = 0;\n${shared.join('\n')}\n  return total;\n}\n`;
writeFileSync(join(root, 'src/a.ts'), fileWith('first'));
writeFileSync(join(root, 'src/b.ts'), fileWith('second'));
writeFileSync(join(root, 'src/c.ts'), fileWith('third'));
const tools = createDirectTools(root);
after(() => tools.close());

const REF = /\[shared block (B\d+): (\d+) lines, see ctx_expand id="([a-f0-9]{16})"\]/;

test('apply registers the shared block; a context gets its text once, then a reference it can expand', async () => {
  const opts = { contextId: 'dd1' };
  const applied = await tools.text('ctx_dedup', { action: 'apply' }, opts);
  assert.match(applied, /1 shared blocks registered for this context/);
  assert.match(applied, /B1: 12 lines/);

  const first = await tools.text('ctx_read', { path: 'src/a.ts', mode: 'aggressive' }, opts);
  assert.doesNotMatch(first, REF);
  assert.match(first, /weight\(9, "w9"\)/);

  const second = await tools.text('ctx_read', { path: 'src/b.ts', mode: 'aggressive' }, opts);
  const ref = REF.exec(second);
  assert.ok(ref, second);
  assert.equal(ref[2], '12');
  assert.doesNotMatch(second, /weight\(9/);
  assert.match(second, /export function second/);
  assert.match(second, /\n}\n/);

  // nothing is lost: the reference expands to the block's every line
  const expanded = await tools.text('ctx_expand', { id: ref[3] }, opts);
  for (const line of shared) assert.ok(expanded.includes(line.trim()), line);
});

test('another context, a context without an id, and a cleared context get the block in full', async () => {
  await tools.text('ctx_dedup', { action: 'apply' }, { contextId: 'dd2' });
  await tools.text('ctx_read', { path: 'src/a.ts', mode: 'aggressive' }, { contextId: 'dd2' });
  assert.match(
    await tools.text('ctx_read', { path: 'src/c.ts', mode: 'aggressive' }, { contextId: 'dd2' }),
    REF,
  );

  // a context that never received the block: its text, not a reference
  const other = await tools.text('ctx_read', { path: 'src/c.ts', mode: 'aggressive' }, { contextId: 'dd3' });
  assert.doesNotMatch(other, REF);
  const none = await tools.text('ctx_read', { path: 'src/c.ts', mode: 'aggressive' });
  assert.doesNotMatch(none, REF);
  assert.match(
    await tools.text('ctx_dedup', { action: 'apply' }),
    /not applied: shared blocks belong to a context/,
  );

  await tools.text('ctx_cache', { action: 'clear' }, { contextId: 'dd2' });
  const afterClear = await tools.text(
    'ctx_read',
    { path: 'src/b.ts', mode: 'aggressive' },
    { contextId: 'dd2' },
  );
  assert.doesNotMatch(afterClear, REF);
  assert.match(afterClear, /weight\(9, "w9"\)/);
});

test('full reads and signatures never fold shared blocks', async () => {
  const opts = { contextId: 'dd4' };
  await tools.text('ctx_dedup', { action: 'apply' }, opts);
  await tools.text('ctx_read', { path: 'src/a.ts', mode: 'aggressive' }, opts);
  const full = await tools.text('ctx_read', { path: 'src/b.ts', mode: 'full' }, opts);
  assert.doesNotMatch(full, REF);
  assert.match(full, /weight\(9, "w9"\)/);
});
