import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type GroupProcess, type SpawnGroupOptions, spawnProcessGroup } from '../process/process-group.ts';
import { LeanReadBuffer } from './lean-jsonrpc.ts';
import { corkUntilNextTick } from './stdio-front.ts';

/** MCP over the stdin/stdout of a server running in its own process group. */
export class ChildTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  process: GroupProcess | undefined;
  private readonly buffer = new LeanReadBuffer();
  private closing = false;

  constructor(
    private readonly command: readonly string[],
    private readonly options: SpawnGroupOptions,
  ) {}

  async start(): Promise<void> {
    const proc = spawnProcessGroup(this.command, this.options);
    this.process = proc;
    proc.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
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
          queueMicrotask(() => this.onmessage?.(response));
        } else {
          this.onmessage?.(message);
        }
      }
    });
    proc.stdout.on('error', (err) => this.onerror?.(err));
    void proc.closed.then(async () => {
      if (!this.closing) await proc.kill(0);
      this.onclose?.();
    });
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
