import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallToolResultSchema, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { checkCallToolResult, toJsonRpcMessage } from '../../src/gateway/lean-jsonrpc.ts';

/** The same JSON out, or the same error message, as the SDK's schema. */
function sameAs(schemaParse: (raw: unknown) => unknown, lean: (raw: unknown) => unknown, raw: unknown): void {
  const run = (f: (raw: unknown) => unknown) => {
    try {
      return JSON.stringify(f(raw));
    } catch (err) {
      return `error: ${(err as Error).message}`;
    }
  };
  assert.equal(run(lean), run(schemaParse), JSON.stringify(raw));
}

test('lean JSON-RPC lines: what JSONRPCMessageSchema returns or throws', () => {
  const lines = [
    '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"Echo: hi"}]}}',
    '{"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x","arguments":{"a":1}}}',
    '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    '{"jsonrpc":"2.0","id":1.5,"result":{}}',
    '{"jsonrpc":"2.0","id":9007199254740993,"method":"m"}',
    '{"jsonrpc":"2.0","id":1,"result":[]}',
    '{"jsonrpc":"2.0","id":1,"result":{},"extra":1}',
    '{"jsonrpc":"2.0","id":1,"result":{"_meta":{"progressToken":[]}}}',
    '{"jsonrpc":"2.0","id":1,"method":"m","params":[]}',
    '{"jsonrpc":"2.0","id":1,"method":"m","params":null}',
    '{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":{"progressToken":1}}}',
    '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}',
    '{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"nope"}}',
    '{"jsonrpc":"1.0","id":1,"result":{}}',
  ];
  for (const line of lines) {
    sameAs((raw) => JSONRPCMessageSchema.parse(raw), toJsonRpcMessage, JSON.parse(line));
  }
});

test('lean tools/call results: what CallToolResultSchema returns or throws', () => {
  const results: unknown[] = [
    { content: [{ type: 'text', text: 'a' }] },
    { isError: true, content: [{ text: 'a', type: 'text' }] },
    { content: [] },
    { content: [{ type: 'text', text: 'a', extra: 1 }] },
    { content: [{ type: 'image', data: '', mimeType: 'image/png' }] },
    { content: [{ type: 'text', text: 1 }] },
    { content: [], structuredContent: { a: 1 }, _meta: { x: 1 } },
    {},
    { content: [], isError: 'yes' },
    { content: 'text' },
    null,
  ];
  for (const result of results) {
    sameAs(
      (raw) => {
        const parsed = CallToolResultSchema.safeParse(raw);
        if (!parsed.success) throw parsed.error;
        return parsed.data;
      },
      checkCallToolResult,
      result,
    );
  }
});
