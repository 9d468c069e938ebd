import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { enginePool, warmEnginePool } from '../../src/engine/workers/engine-pool.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** A package of TypeScript files, `files` × about 100 KB, each mentioning a name it does not define. */
function bigPackage(files: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (let f = 0; f < files; f++) {
    const parts = ['// notDefinedAnywhere is only mentioned here\n'];
    for (let i = 0; i < 800; i++) {
      parts.push(
        `export function handler${f}_${i}(input: string, count: number): string {\n  return input.repeat(count);\n}\n`,
      );
    }
    out[`pkg/src/file${f}.ts`] = parts.join('');
  }
  return out;
}

const LONG_NAME = 'aVeryLongIdentifierNameThatGoesOnAndOnForSure'; // 44 characters, as in this repository
const FILES: Record<string, string> = {
  'README.md': '# stall\n',
  'src/small.ts': 'export const small = 1;\n',
  'one-word.txt': 'a'.repeat(100_000),
  'src/names.ts': `${Array.from({ length: 200 }, (_, i) => `const ${LONG_NAME}${i}! = ${i};`).join('\n')}\n`,
  ...bigPackage(40),
};

let srv: RunningTestServer;
before(async () => {
  srv = await startTestServer({ files: FILES, config: { requestTimeoutMs: 90_000 } });
  // threads load tsx, the parsers and the tokenizer once (seconds); the server starts this itself
  await warmEnginePool();
});
after(() => srv.close());

/** `/health` and a cached small ctx_read, probed every 20 ms while `hostile` runs: the worst waits. */
async function probeWhile<T>(
  hostile: () => Promise<T>,
): Promise<{ result: T; worstMs: number; probes: number }> {
  let done = false;
  let worstMs = 0;
  let probes = 0;
  const probe = (async () => {
    while (!done) {
      const started = performance.now();
      const [health, read] = await Promise.all([
        srv.request('/health'),
        callTool(srv, 'alice', { name: 'ctx_read', arguments: { path: 'src/small.ts', mode: 'full' } }),
      ]);
      assert.equal(health.status, 200);
      assert.equal(read.status, 200);
      await Promise.all([health.arrayBuffer(), read.arrayBuffer()]);
      worstMs = Math.max(worstMs, performance.now() - started);
      probes++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  try {
    const result = await hostile();
    return { result, worstMs, probes };
  } finally {
    done = true;
    await probe;
  }
}

const call = async (name: string, args: Record<string, unknown>) => {
  const res = await callTool(srv, 'alice', { name, arguments: args });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
type ToolResult = { content?: { text: string }[]; isError?: boolean };
const resultOf = (body: Record<string, unknown>) => (body.result ?? {}) as ToolResult;
const textOf = (body: Record<string, unknown>) =>
  (resultOf(body).content ?? []).map((c) => c.text).join('\n');

// Upper bounds in seconds: the old code stalled /health for minutes (the 2 MB pattern's
// token count), 31 s (the backtracking regex) and 9 s (the one-word file).
const STALL_LIMIT_MS = 5000;

test('a 2,000,000-character search pattern is refused as invalid_arguments naming the limit, at once', async () => {
  const { result, worstMs } = await probeWhile(() => call('ctx_search', { pattern: 'a'.repeat(2_000_000) }));
  assert.equal(result.status, 400);
  assert.equal(result.body.error_code, 'invalid_arguments');
  assert.match(String(result.body.error), /pattern.*1024/);
  assert.ok(worstMs < STALL_LIMIT_MS, `health waited ${worstMs} ms`);
});

test('reading a 100 KB one-word file answers within seconds and /health keeps answering', async () => {
  const { result, worstMs } = await probeWhile(() =>
    call('ctx_read', { path: 'one-word.txt', mode: 'full' }),
  );
  assert.equal(result.status, 200);
  assert.match(textOf(result.body), /one-word\.txt/);
  assert.ok(worstMs < STALL_LIMIT_MS, `health waited ${worstMs} ms`);
});

test('(\\w+\\w+)+$ against 44-character identifiers answers on every search path without stalling', async () => {
  const pattern = '(\\w+\\w+)+$';
  for (const args of [
    { pattern }, // cold: ripgrep
    { pattern, path: 'src' }, // subdirectory: scanned in-process
    { pattern }, // warm: the in-memory index
  ]) {
    const { result, worstMs } = await probeWhile(() => call('ctx_search', args));
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.ok(worstMs < STALL_LIMIT_MS, `health waited ${worstMs} ms`);
  }
  const search = await call('ctx_search', { pattern: `${LONG_NAME}1\\d`, max_results: 1 });
  const id = /ctx_expand id="([0-9a-f]+)"/.exec(textOf(search.body))?.[1];
  assert.ok(id, textOf(search.body));
  const { result, worstMs } = await probeWhile(() => call('ctx_expand', { id, search: pattern }));
  assert.equal(result.status, 200);
  assert.ok(worstMs < STALL_LIMIT_MS, `health waited ${worstMs} ms`);
});

test('a short pattern that would compile to a huge program is refused as too complex, off the loop', async () => {
  const pattern = '[a-z]{1,1000}'.repeat(70);
  const { result, worstMs } = await probeWhile(() => call('ctx_search', { pattern }));
  assert.equal(result.status, 400);
  assert.equal(result.body.error_code, 'invalid_arguments');
  assert.match(String(result.body.error), /too complex/);
  assert.ok(worstMs < STALL_LIMIT_MS, `health waited ${worstMs} ms`);
});

test('lookaround and backreferences are invalid_arguments that say why', async () => {
  for (const pattern of ['foo(?=bar)', '(a)\\1']) {
    const { status, body } = await call('ctx_search', { pattern });
    assert.equal(status, 400);
    assert.equal(body.error_code, 'invalid_arguments');
    assert.match(String(body.error), /linear time/);
  }
});

test('ctx_symbol and ctx_semantic_search over a 4 MB package leave /health answering', async () => {
  const symbol = await probeWhile(() => call('ctx_symbol', { name: 'notDefinedAnywhere' }));
  assert.equal(symbol.result.status, 200);
  assert.equal(resultOf(symbol.result.body).isError, true);
  assert.ok(symbol.worstMs < STALL_LIMIT_MS, `health waited ${symbol.worstMs} ms`);
  const semantic = await probeWhile(() =>
    call('ctx_semantic_search', { query: 'handler input repeat', mode: 'bm25' }),
  );
  assert.equal(semantic.result.status, 200);
  assert.match(textOf(semantic.result.body), /pkg\/src\/file/);
  assert.ok(semantic.worstMs < STALL_LIMIT_MS, `health waited ${semantic.worstMs} ms`);
});

/** Waits until the pool has run nothing for `quietMs` (earlier tests' background indexing included). */
async function poolQuiet(quietMs: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  let last = enginePool().stats().dispatched;
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 25));
    const now = enginePool().stats();
    if (now.dispatched !== last || now.busy + now.queued > 0) {
      last = now.dispatched;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
  }
  assert.fail(`the engine pool did not go quiet within ${withinMs} ms`);
}

test('a call past requestTimeoutMs gets 504 and its worker task stops', async () => {
  const tight = await startTestServer({ files: bigPackage(60), config: { requestTimeoutMs: 300 } });
  try {
    await poolQuiet(1500, 60_000);
    const res = await callTool(tight, 'alice', {
      name: 'ctx_symbol',
      arguments: { name: 'notDefinedAnywhere' },
    });
    assert.equal(res.status, 504);
    assert.equal(((await res.json()) as { error_code: string }).error_code, 'request_timeout');
    // whatever had started is stopped with its thread and nothing more of the call is dispatched:
    // the pool goes idle and stays idle, where 60 files of parsing would keep it busy for seconds
    const deadline = Date.now() + 10_000;
    while (enginePool().stats().busy + enginePool().stats().queued > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const idle = enginePool().stats();
    assert.equal(idle.busy + idle.queued, 0, 'the pool still works for a cancelled call');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(enginePool().stats().dispatched, idle.dispatched, 'a cancelled call dispatched more work');
  } finally {
    await tight.close();
  }
});
