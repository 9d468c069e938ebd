import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { countTokens } from '../../src/engine/tokens.ts';
import type { ToolUsage } from '../../src/store/types.ts';
import { callToolText, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** A TypeScript file whose signatures are much smaller than its bodies. */
function source(name: string, functions: number): string {
  return Array.from(
    { length: functions },
    (_, i) =>
      `export function ${name}Step${i}(input: number[], weight: number): number {\n` +
      `  let total = 0;\n  for (const value of input) {\n    total += value * weight + ${i};\n  }\n` +
      `  return Math.round(total / Math.max(1, input.length));\n}\n`,
  ).join('\n');
}

const FILES = {
  'src/alpha.ts': source('alpha', 6),
  'src/beta.ts': source('beta', 9),
  'src/gamma.ts': source('gamma', 12),
};
const PATHS = Object.keys(FILES);

/** Every `[N tok saved (P%)]` footer of a reply: what the reply itself claims, file by file. */
const footers = (text: string) =>
  [...text.matchAll(/\[(\d+) tok saved \(\d+%\)\]/g)].map((m) => Number(m[1]));
const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

describe('usage records the token figures each tool measured', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({ files: FILES });
  });
  after(() => srv.close());

  const call = (name: string, args: Record<string, unknown>, contextId: string) =>
    callToolText(srv, 'alice', name, args, contextId);

  /** The usage row of one tool in one context, once the call's bookkeeping has run. */
  async function usage(contextId: string, tool: string): Promise<ToolUsage> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const summary = await srv.server.deps.store.usage.summary({ workspaceId: 'main', contextId });
      const row = summary.byTool.find((t) => t.tool === tool);
      if (row) return row;
      if (Date.now() > deadline) throw new Error(`no usage row for ${tool} in ${contextId}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  test('a three-file ctx_multi_read records the savings of all three files, not the first', async () => {
    const text = await call('ctx_multi_read', { paths: PATHS, mode: 'signatures' }, 'multi');
    const perFile = footers(text);
    assert.equal(perFile.length, 3, text);
    assert.ok(
      perFile.every((n) => n > 0),
      text,
    );
    assert.match(text, new RegExp(`\\| ${sum(perFile)} tokens saved$`));
    assert.equal((await usage('multi', 'ctx_multi_read')).tokensSaved, sum(perFile));
  });

  test('ctx_fill records what its compressed reads saved', async () => {
    const text = await call('ctx_fill', { paths: PATHS, budget: 500 }, 'fill');
    const perFile = footers(text);
    assert.ok(perFile.length >= 2, text);
    assert.ok(sum(perFile) > 0, text);
    assert.equal((await usage('fill', 'ctx_fill')).tokensSaved, sum(perFile));
  });

  test('ctx_compress counts as "before" what the session received (a map, a reference line), not the files', async () => {
    const map = await call('ctx_read', { path: 'src/gamma.ts', mode: 'map' }, 'compress');
    const ref = await call('ctx_read', { path: 'src/beta.ts', mode: 'reference' }, 'compress');
    const received = countTokens(map) + countTokens(ref);
    const whole = countTokens(FILES['src/gamma.ts']) + countTokens(FILES['src/beta.ts']);
    assert.ok(received < whole / 2);
    const text = await call('ctx_compress', { include_signatures: false }, 'compress');
    assert.match(text, new RegExp(`\\nCOMPRESSION: ${received} → \\d+ tok`));
    const row = await usage('compress', 'ctx_compress');
    assert.equal(row.tokensSaved, Math.max(0, received - countTokens(text)));
  });

  test('a tool answer that claims nothing records nothing saved, and ctx_call does not count its inner call twice', async () => {
    await call('ctx_read', { path: 'src/alpha.ts', mode: 'full' }, 'plain');
    assert.equal((await usage('plain', 'ctx_read')).tokensSaved, 0);
    const inner = await call(
      'ctx_call',
      { name: 'ctx_read', arguments: { path: 'src/beta.ts', mode: 'signatures' } },
      'nested',
    );
    const [saved] = footers(inner);
    assert.ok(saved && saved > 0, inner);
    assert.equal((await usage('nested', 'ctx_read')).tokensSaved, saved);
    assert.equal((await usage('nested', 'ctx_call')).tokensSaved, 0);
  });

  test('over MCP, ctx_metrics reports the savings of every file of a ctx_multi_read', async () => {
    const client = new Client({ name: 'test', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${srv.tokens.alice}` } },
    });
    await client.connect(transport);
    try {
      const read = await client.callTool({
        name: 'ctx_multi_read',
        arguments: { paths: PATHS, mode: 'map' },
      });
      const text = (read.content as { text: string }[])[0]?.text ?? '';
      const perFile = footers(text);
      assert.equal(perFile.length, 3, text);
      assert.ok(transport.sessionId);
      await usage(transport.sessionId, 'ctx_multi_read');
      const metrics = await client.callTool({
        name: 'ctx_call',
        arguments: { name: 'ctx_metrics', arguments: {} },
      });
      assert.match(
        (metrics.content as { text: string }[])[0]?.text ?? '',
        new RegExp(`\\n {2}ctx_multi_read: 1 calls, \\d+ sent, ${sum(perFile)} saved`),
      );
    } finally {
      await client.close();
    }
  });
});
