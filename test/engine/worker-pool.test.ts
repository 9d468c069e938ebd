import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countBounded } from '../../src/engine/tokens.ts';
import { createWorkerPool, WorkerDeadlineError } from '../../src/engine/workers/worker-pool.ts';

const ENTRY = new URL('../../src/engine/workers/engine-worker.ts', import.meta.url);

/** A TypeScript file of about `kb` KB: enough parse work to keep a worker busy for a while. */
function bigSource(kb: number): string {
  const fn = (i: number) =>
    `export function handler${i}(input: string, count: number): string {\n  return input.repeat(count) + ${i};\n}\n`;
  const parts: string[] = [];
  for (let i = 0, size = 0; size < kb * 1024; i++) {
    parts.push(fn(i));
    size += parts.at(-1)!.length;
  }
  return parts.join('');
}

test('a worker task answers with the value the engine computes on the main thread', async () => {
  const pool = createWorkerPool({ entry: ENTRY, size: 1 });
  try {
    const text = 'hello world '.repeat(5000);
    assert.equal(await pool.run('countTokens', text), countBounded(text));
    const outline = await pool.run<{ symbols: { name: string }[] }>('outline', {
      rel: 'a.ts',
      text: 'export function alpha(): number {\n  return 1;\n}\n',
    });
    assert.deepEqual(
      outline.symbols.map((s) => s.name),
      ['alpha'],
    );
  } finally {
    await pool.close();
  }
});

test('aborting a running task stops its thread, which is replaced; the next task still runs', async () => {
  const pool = createWorkerPool({ entry: ENTRY, size: 1 });
  try {
    await pool.run('countTokens', 'warm up');
    const controller = new AbortController();
    const running = pool.run(
      'outline',
      { rel: 'big.ts', text: bigSource(1500) },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(new Error('client went away')), 50);
    const started = performance.now();
    await assert.rejects(running, /client went away/);
    assert.ok(performance.now() - started < 1000, 'the abort answers at once, not when the parse ends');
    assert.deepEqual({ busy: pool.stats().busy, replaced: pool.stats().replaced }, { busy: 0, replaced: 1 });
    assert.equal(await pool.run('countTokens', 'still works'), countBounded('still works'));
  } finally {
    await pool.close();
  }
});

test('a task past its deadline rejects with WorkerDeadlineError and frees its slot', async () => {
  const pool = createWorkerPool({ entry: ENTRY, size: 1 });
  try {
    await assert.rejects(
      pool.run('outline', { rel: 'big.ts', text: bigSource(1500) }, { deadlineMs: 30 }),
      WorkerDeadlineError,
    );
    assert.equal(pool.stats().busy, 0);
    assert.equal(await pool.run('countTokens', 'after'), countBounded('after'));
  } finally {
    await pool.close();
  }
});

test('a queued task that is aborted never runs, and a full queue refuses with overloaded', async () => {
  const pool = createWorkerPool({ entry: ENTRY, size: 1, maxQueue: 1 });
  try {
    const busy = pool.run('outline', { rel: 'big.ts', text: bigSource(600) });
    const controller = new AbortController();
    const queued = pool.run('countTokens', 'queued', { signal: controller.signal });
    await assert.rejects(pool.run('countTokens', 'one too many'), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'overloaded');
      return true;
    });
    controller.abort(new Error('dropped'));
    await assert.rejects(queued, /dropped/);
    assert.equal(pool.stats().queued, 0);
    await busy;
  } finally {
    await pool.close();
  }
});

test('a worker starts when the process runs from a directory outside this package (lean-ctx mcp in a project)', async () => {
  const { execFile } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const pool = new URL('../../src/engine/workers/worker-pool.ts', import.meta.url).href;
  const script = `const { createWorkerPool } = await import(${JSON.stringify(pool)});
const p = createWorkerPool({ entry: new URL(${JSON.stringify(ENTRY.href)}), size: 1 });
console.log(await p.run('countTokens', 'hello world'));
await p.close();`;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script],
      { cwd: tmpdir(), timeout: 60_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  assert.equal(out.trim(), String(countBounded('hello world')));
});
