import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { defineTool } from '../../src/tools/define-tool.ts';
import { callTool, startTestServer } from '../helpers/team-server.ts';

test('maxConcurrency holds after a timeout: the slot stays taken until the tool body has stopped', async () => {
  const bodies = { running: 0, most: 0, finished: 0 };
  let finish: (() => void) | undefined;
  // A tool that ignores its AbortSignal, as a slow synchronous library call would, until released.
  const stubborn = defineTool({
    name: 'test_stubborn',
    description: 'runs for a while whatever happens',
    scope: 'search',
    input: z.object({}),
    run: async () => {
      bodies.running++;
      bodies.most = Math.max(bodies.most, bodies.running);
      await new Promise<void>((resolve) => {
        finish = resolve;
      });
      bodies.running--;
      bodies.finished++;
      return 'done';
    },
  });
  const srv = await startTestServer({
    tools: [...builtinTools(), stubborn],
    config: { maxConcurrency: 1, requestTimeoutMs: 1000 },
  });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await callTool(srv, 'alice', { name: 'test_stubborn' });
      statuses.push(res.status);
      const body = (await res.json()) as { error_code?: string };
      if (res.status === 503) assert.equal(body.error_code, 'overloaded');
    }
    assert.equal(statuses[0], 504, 'the first call times out');
    assert.deepEqual(statuses.slice(1), [503, 503, 503], 'while its body runs, the one slot is taken');
    assert.equal(bodies.most, 1, 'never more than maxConcurrency tool bodies at once');
    finish?.();
    const deadline = Date.now() + 10_000;
    while (srv.server.deps.inFlight.count > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.equal(bodies.finished, 1);
    assert.equal(srv.server.deps.inFlight.count, 0, 'the slot is free once the body stopped');
    assert.equal((await callTool(srv, 'alice', { name: 'ctx_tree' })).status, 200);
  } finally {
    await srv.close();
  }
});
