import { STDIO_DEFAULT_MAX_BUFFER_SIZE, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type GroupProcess, type SpawnGroupOptions, spawnProcessGroup } from '../process/process-group.ts';
import { LeanReadBuffer } from './lean-jsonrpc.ts';
import { corkUntilNextTick } from './stdio-front.ts';

/** The largest JSON-RPC line a downstream server may send (the SDK's stdio limit). */
const MAX_DOWNSTREAM_MESSAGE_BYTES = STDIO_DEFAULT_MAX_BUFFER_SIZE;

/** MCP over the stdin/stdout of a server running in its own process group. */
export class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  process: GroupProcess | undefined;
  private readonly buffer = new LeanReadBuffer(MAX_DOWNSTREAM_MESSAGE_BYTES);
  private closing = false;
  private failed: string | undefined;

  constructor(
    private readonly command: readonly string[],
    private readonly options: SpawnGroupOptions,
  ) {}

  async start(): Promise<void> {
    const proc = spawnProcessGroup(this.command, this.options);
    this.process = proc;
    proc.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    proc.stdout.on('error', (err) => this.onerror?.(err));
    void proc.closed.then(async () => {
      if (!this.closing) await proc.kill(0).catch(() => {});
      this.onclose?.();
    });
  }

  /**
   * Why the transport gave up on the server (a message over the size limit), for the
   * error the pending calls get; undefined while it is healthy.
   */
  get failure(): string | undefined {
    return this.failed;
  }

  private onData(chunk: Buffer): void {
    if (this.failed) return;
    try {
      this.buffer.append(chunk);
    } catch {
      // One oversized line cannot be skipped (its end is not known, nor which call it
      // answered): stop the server so its pending calls fail now and the next one restarts it.
      this.failed = `sent a message of more than ${MAX_DOWNSTREAM_MESSAGE_BYTES} bytes (the limit per downstream message)`;
      this.onerror?.(new Error(this.failed));
      void this.close().catch(() => {});
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (err) {
        this.onerror?.(err as Error);
        continue;
      }
      if (message === null) break;
      // The SDK handles notifications a microtask late; a response read in the same chunk
      // would otherwise retire its request first and the last progress would be dropped.
      if ('result' in message || 'error' in message) {
        const response = message;
        queueMicrotask(() => this.deliver(response));
      } else {
        this.deliver(message);
      }
    }
  }

  private deliver(message: JSONRPCMessage): void {
    try {
      this.onmessage?.(message);
    } catch (err) {
      this.onerror?.(err as Error);
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.process?.stdin;
    if (!stdin || stdin.writableEnded) return Promise.reject(new Error('the server process is not running'));
    corkUntilNextTick(stdin);
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.process?.kill();
    this.buffer.clear();
  }
}
