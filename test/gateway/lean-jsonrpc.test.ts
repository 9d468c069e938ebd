import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadBuffer } from '@modelcontextprotocol/sdk/shared/stdio.js';
import { CallToolResultSchema, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { checkCallToolResult, LeanReadBuffer, toJsonRpcMessage } from '../../src/gateway/lean-jsonrpc.ts';

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

/** Every message (or error) a read buffer gives for `chunks`, appended one by one. */
function readAll(buffer: { append(c: Buffer): void; readMessage(): unknown }, chunks: Buffer[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) {
    try {
      buffer.append(chunk);
    } catch (err) {
      out.push(`append: ${(err as Error).message}`);
      continue;
    }
    for (;;) {
      try {
        const message = buffer.readMessage();
        if (message === null) break;
        out.push(JSON.stringify(message));
      } catch (err) {
        out.push(`read: ${(err as Error).name}`);
      }
    }
  }
  return out;
}

test('the lean read buffer gives what the SDK ReadBuffer gives, however the stream is cut', () => {
  const stream = Buffer.from(
    [
      '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"ünïcödé \\n"}]}}',
      '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\r',
      'not json',
      '',
      '{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"a","arguments":{}}}',
      '{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"nope"}}',
      '{"jsonrpc":"2.0","id":3,"result":{}}',
    ].join('\n'),
  );
  let checked = 0;
  for (let seed = 1; seed <= 300; seed++) {
    // Cut points from a small linear congruential generator: reproducible, different per seed.
    let state = seed;
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length; ) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (state % 40);
      chunks.push(stream.subarray(at, at + size));
      at += size;
    }
    assert.deepEqual(
      readAll(new LeanReadBuffer(), chunks),
      readAll(new ReadBuffer(), chunks),
      `seed ${seed}`,
    );
    checked++;
  }
  assert.equal(checked, 300);
  const limited = [Buffer.alloc(60, 0x20), Buffer.alloc(60, 0x20), Buffer.from('{}\n')];
  assert.deepEqual(
    readAll(new LeanReadBuffer(100), limited),
    readAll(new ReadBuffer({ maxBufferSize: 100 }), limited),
  );
});

test('a line in many small chunks is joined once: 32 MiB in 8 KiB chunks reads within seconds', () => {
  const text = 'x'.repeat(32 * 1024 * 1024);
  const line = Buffer.from(
    `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"${text}"}]}}\n`,
  );
  const buffer = new LeanReadBuffer(64 * 1024 * 1024);
  const started = Date.now();
  let message: unknown = null;
  for (let at = 0; at < line.length; at += 8192) {
    buffer.append(line.subarray(at, at + 8192));
    message = buffer.readMessage() ?? message;
  }
  assert.ok(message, 'the line was read');
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});
