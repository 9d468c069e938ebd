import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LeanReadBuffer } from './lean-jsonrpc.ts';
import type { LineTransport } from './raw-front.ts';

/** Holds a stream's writes until the end of the tick, so a burst of messages is one syscall. */
export function corkUntilNextTick(stream: NodeJS.WritableStream & { cork?(): void; uncork?(): void }): void {
  if (!stream.cork || !stream.uncork || (stream as { writableCorked?: number }).writableCorked) return;
  stream.cork();
  process.nextTick(() => stream.uncork?.());
}

/**
 * lazy-mcp's stdio front. process.stdout is a synchronous pipe on Linux, one write(2) per
 * message; under concurrent calls that was the gateway's largest cost, so writes are coalesced.
 */
export class CoalescingStdioServerTransport extends StdioServerTransport implements LineTransport {
  private readonly out: NodeJS.WritableStream;

  constructor(stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout) {
    super(stdin as never, stdout as never);
    this.out = stdout;
    // The SDK's ReadBuffer runs every line through the JSON-RPC message union schema.
    (this as unknown as { _readBuffer: LeanReadBuffer })._readBuffer = new LeanReadBuffer();
  }

  override send(message: JSONRPCMessage): Promise<void> {
    corkUntilNextTick(this.out);
    return super.send(message);
  }

  /** Writes a message serialized already (a raw answer with the downstream bytes in it). */
  sendLine(text: string): void {
    corkUntilNextTick(this.out);
    this.out.write(`${text}\n`);
  }
}
