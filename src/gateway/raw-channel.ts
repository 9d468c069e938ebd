import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, McpError, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Cancellation } from './cancellation.ts';
import { memberText } from './json-span.ts';

/** The text each downstream answer arrived as, where its transport kept it (stdio lines, SSE data). */
const answerTexts = new WeakMap<object, string>();

export function keepAnswerText(message: object, text: string): void {
  answerTexts.set(message, text);
}

/** A downstream answer's result as the server sent it: parsed, not validated. */
export class ForwardedAnswer {
  constructor(
    readonly result: unknown,
    private readonly message: object | undefined,
  ) {}

  /** Whether the result says `isError: true`. */
  get isError(): boolean {
    return typeof this.result === 'object' && this.result !== null && 'isError' in this.result
      ? this.result.isError === true
      : false;
  }

  /** The result's JSON: the server's own bytes when they were kept, else serialized. */
  json(): string {
    const text = this.message && answerTexts.get(this.message);
    return (text === undefined ? undefined : memberText(text, 'result')) ?? JSON.stringify(this.result);
  }
}

export interface RawRequestOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** The raw front's cancellation (no AbortSignal per call). */
  cancellation?: Cancellation;
  onProgress?: (progress: Progress) => void;
}

/** What a cancelled call rejects with (the caller went away, or its own deadline passed). */
export function cancelledError(reason: unknown): Error {
  const error = new Error(`The call was cancelled${reason instanceof Error ? `: ${reason.message}` : ''}`);
  error.name = 'AbortError';
  return error;
}

interface Pending {
  resolve(answer: ForwardedAnswer): void;
  reject(error: unknown): void;
  timer: NodeJS.Timeout | undefined;
  onProgress: ((progress: Progress) => void) | undefined;
  /** Stops listening for the caller's cancellation. */
  unlisten: (() => void) | undefined;
}

/** Ids and progress tokens of raw calls; the SDK Client numbers its own requests. */
const ID_PREFIX = 'lazy-mcp-';

/**
 * Requests to a downstream server without the SDK Client's per-request bookkeeping and schema
 * checks: the answer (and its progress) is matched by id before the Client sees the message.
 * Timeouts, progress resetting them, cancellation (`notifications/cancelled`) and the errors a
 * caller gets (McpError with the server's code, RequestTimeout, ConnectionClosed) are the
 * SDK's, so the upstream explains them the same way.
 */
export class RawChannel {
  private readonly pending = new Map<string, Pending>();
  private sequence = 0;

  private constructor(private readonly transport: Transport) {}

  /**
   * Routes `transport`'s messages through a new channel. Call it after dumpBodies (which then
   * still logs every message) and before the SDK Client connects.
   */
  static install(transport: Transport): RawChannel {
    const channel = new RawChannel(transport);
    const start = transport.start.bind(transport);
    transport.start = () => {
      const onmessage = transport.onmessage;
      transport.onmessage = (message, extra) => {
        if (!channel.take(message)) onmessage?.(message, extra);
      };
      const onclose = transport.onclose;
      transport.onclose = () => {
        onclose?.();
        channel.failAll(McpError.fromError(ErrorCode.ConnectionClosed, 'Connection closed'));
      };
      return start();
    };
    return channel;
  }

  /** Sends `method` with a progress token and waits for the answer, as Protocol.request does. */
  request(
    method: string,
    params: Record<string, unknown>,
    opts: RawRequestOptions,
  ): Promise<ForwardedAnswer> {
    return new Promise((resolve, reject) => {
      const { signal, cancellation } = opts;
      if (signal?.aborted || cancellation?.cancelled) {
        reject(cancelledError(signal?.aborted ? signal.reason : cancellation?.reason));
        return;
      }
      const id = `${ID_PREFIX}${++this.sequence}`;
      const entry: Pending = {
        resolve,
        reject,
        timer: undefined,
        onProgress: opts.onProgress,
        unlisten: undefined,
      };
      entry.timer = setTimeout(
        () =>
          this.cancel(
            id,
            McpError.fromError(ErrorCode.RequestTimeout, 'Request timed out', { timeout: opts.timeoutMs }),
          ),
        opts.timeoutMs,
      );
      entry.timer.unref();
      if (cancellation) {
        entry.unlisten = cancellation.onCancel((reason) => this.cancel(id, cancelledError(reason)));
      } else if (signal) {
        const onAbort = () => this.cancel(id, cancelledError(signal.reason));
        signal.addEventListener('abort', onAbort, { once: true });
        entry.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.pending.set(id, entry);
      this.transport
        .send({ jsonrpc: '2.0', id, method, params: { ...params, _meta: { progressToken: id } } })
        .catch((err: unknown) => this.settle(id)?.reject(err));
    });
  }

  /** Takes an answer or progress meant for a raw call; false for every other message. */
  private take(message: JSONRPCMessage): boolean {
    if (!('method' in message)) {
      const id = message.id;
      if (typeof id !== 'string' || !id.startsWith(ID_PREFIX)) return false;
      // A late answer to a call that timed out or was cancelled ends here too.
      const entry = this.settle(id);
      if (!entry) return true;
      if ('result' in message) entry.resolve(new ForwardedAnswer(message.result, message));
      else entry.reject(McpError.fromError(message.error.code, message.error.message, message.error.data));
      return true;
    }
    if ('id' in message || message.method !== 'notifications/progress') return false;
    const { progressToken, ...progress } = message.params ?? {};
    if (typeof progressToken !== 'string' || !progressToken.startsWith(ID_PREFIX)) return false;
    const entry = this.pending.get(progressToken);
    if (entry) {
      entry.timer?.refresh();
      entry.onProgress?.(progress as Progress);
    }
    return true;
  }

  /** Removes a pending call (its timer and abort listener too) and returns it. */
  private settle(id: string): Pending | undefined {
    const entry = this.pending.get(id);
    if (!entry) return undefined;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.unlisten?.();
    return entry;
  }

  /** Gives up on a call: tells the server (as the SDK does) and rejects with `error`. */
  private cancel(id: string, error: Error): void {
    const entry = this.settle(id);
    if (!entry) return;
    this.transport
      .send({
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: id, reason: String(error) },
      })
      .catch(() => {});
    entry.reject(error);
  }

  private failAll(error: Error): void {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }
}
