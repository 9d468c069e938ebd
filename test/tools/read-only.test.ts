import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { EventRecord } from '../../src/store/types.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const shared = Array.from({ length: 8 }, (_, i) => `  total += values[${i}] * ${i};`).join('\n');
const FILES = {
  'src/a.ts': `export function a(values: number[]) {\n  let total = 0;\n${shared}\n  return total;\n}\n`,
  'src/b.ts': `export function b(values: number[]) {\n  let total = 0;\n${shared}\n  return total;\n}\n`,
};

describe('read-only is decided per call, from the arguments', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({ files: FILES, config: { toolSurface: 'all' } });
  });
  after(() => srv.close());

  test('tools/list marks a tool read-only only when every one of its actions is', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${srv.tokens.alice}` } },
      }),
    );
    try {
      const { tools } = await client.listTools();
      const hint = (name: string) => tools.find((t) => t.name === name)?.annotations?.readOnlyHint;
      assert.equal(hint('ctx_read'), true);
      assert.equal(hint('ctx_search'), true);
      // analyze only reads, apply changes what later reads send
      assert.equal(hint('ctx_dedup'), false);
      assert.equal(hint('ctx_cache'), false);
      assert.equal(hint('ctx_semantic_search'), false);
    } finally {
      await client.close();
    }
  });

  test('the pipeline records whether each call wrote: ctx_dedup analyze did not, apply did', async () => {
    for (const action of ['analyze', 'apply']) {
      const res = await callTool(srv, 'alice', {
        name: 'ctx_dedup',
        arguments: { action },
        contextId: 'd1',
      });
      assert.equal(res.status, 200);
    }
    const res = await callTool(srv, 'alice', { name: 'ctx_cache', arguments: { action: 'status' } });
    assert.equal(res.status, 200);
    const recorded = async (): Promise<EventRecord[]> =>
      (await srv.server.deps.hub.store.since('main', 'main', 0, 100)).filter(
        (e) => e.kind === 'tool_call_recorded',
      );
    const deadline = Date.now() + 5000;
    while ((await recorded()).length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    const calls = (await recorded()).map((e) => [e.payload.tool, e.payload.action, e.payload.readOnly]);
    assert.deepEqual(calls, [
      ['ctx_dedup', 'analyze', true],
      ['ctx_dedup', 'apply', false],
      ['ctx_cache', 'status', true],
    ]);
  });
});
