import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  type JSONRPCMessage,
  type ProgressToken,
  type RequestId,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { Cancellation } from './cancellation.ts';
import { isPlainRecord } from './lean-jsonrpc.ts';
import type { ToolAnswer } from './meta-operations.ts';
import { ForwardedAnswer } from './raw-channel.ts';

/** A tools/call the raw path takes; anything else goes to the SDK Server with its checks. */
export interface RawToolCall {
  id: RequestId;
  name: string;
  args: Record<string, unknown>;
  progressToken: ProgressToken | undefined;
}

const isRequestId = (v: unknown): v is RequestId => typeof v === 'string' || Number.isSafeInteger(v);

/**
 * The call in `message` when it is a tools/call that JSONRPCRequestSchema and
 * CallToolRequestSchema accept unchanged, with no `task` and at most a progress token in
 * `_meta`; undefined for every other message.
 */
export function toRawToolCall(message: unknown): RawToolCall | undefined {
  if (!isPlainRecord(message) || message.method !== 'tools/call' || message.jsonrpc !== '2.0')
    return undefined;
  const { id, params } = message;
  if (!isRequestId(id) || !isPlainRecord(params) || typeof params.name !== 'string') return undefined;
  for (const key in message) {
    if (key !== 'jsonrpc' && key !== 'id' && key !== 'method' && key !== 'params') return undefined;
  }
  const args = params.arguments;
  if ((args !== undefined && !isPlainRecord(args)) || params.task !== undefined) return undefined;
  const meta = params._meta;
  let progressToken: ProgressToken | undefined;
  if (meta !== undefined) {
    if (!isPlainRecord(meta)) return undefined;
    for (const key in meta) if (key !== 'progressToken') return undefined;
    const token = meta.progressToken;
    if (token !== undefined && !isRequestId(token)) return undefined;
    progressToken = token;
  }
  return { id, name: params.name, args: args ?? {}, progressToken };
}

/** Where a raw call's messages go: the client's stdio, its HTTP response, or any SDK transport. */
export interface ReplySink {
  /** A message to the caller about call `id`: its progress, or an error response to it. */
  send(message: JSONRPCMessage, id: RequestId): void;
  /** The call's answer. */
  answer(id: RequestId, answer: ToolAnswer): void;
}

/** The JSON-RPC response to `id` as text; a downstream result goes in as the bytes it came as. */
export function responseText(id: RequestId, answer: ToolAnswer): string {
  const result = answer instanceof ForwardedAnswer ? answer.json() : JSON.stringify(answer);
  return `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result}}`;
}

/** A transport that writes a serialized message as it is (lazy-mcp's stdio front). */
export interface LineTransport extends Transport {
  sendLine(text: string): void;
}

function isLineTransport(transport: Transport): transport is LineTransport {
  return typeof (transport as Partial<LineTransport>).sendLine === 'function';
}

/** How a session's transport answers a raw call: whole lines where it can, else messages. */
export function sinkOf(transport: Transport): ReplySink {
  const ignore = () => {};
  if (isLineTransport(transport)) {
    return {
      send: (message) => transport.sendLine(JSON.stringify(message)),
      answer: (id, answer) => transport.sendLine(responseText(id, answer)),
    };
  }
  return {
    // Related to the call, as the SDK Server sends it: an HTTP transport answers on its stream.
    send: (message, id) => void transport.send(message, { relatedRequestId: id }).catch(ignore),
    answer: (id, answer) =>
      void transport
        .send({
          jsonrpc: '2.0',
          id,
          result: (answer instanceof ForwardedAnswer ? answer.result : answer) as never,
        })
        .catch(ignore),
  };
}

/** Runs one call: its progress goes to `notify`; the answer or a thrown error comes back. */
export type RunToolCall = (
  call: RawToolCall,
  cancellation: Cancellation,
  notify: (notification: ServerNotification) => Promise<void>,
) => Promise<ToolAnswer>;

/**
 * A session's tools/call past the SDK Server: parsed once, answered with the downstream bytes.
 * What the Server would do around a handler is done here the same way: no answer after the
 * client cancelled (`notifications/cancelled`) or the session closed, and a thrown error
 * becomes a JSON-RPC error with its code.
 */
export class RawFront {
  private readonly inFlight = new Map<RequestId, Cancellation>();

  constructor(
    private readonly run: RunToolCall,
    /** An answer that could not be written (a bug, or a client gone mid-write). */
    private readonly onError: (error: Error) => void,
  ) {}

  /**
   * Takes raw calls (and their cancellations) off `transport` before the SDK Server sees
   * them. Call after dumpBodies, which then still logs every message, and before connecting.
   */
  install(transport: Transport): void {
    const sink = sinkOf(transport);
    const start = transport.start.bind(transport);
    transport.start = () => {
      const onmessage = transport.onmessage;
      transport.onmessage = (message, extra) => {
        if (!this.take(message, sink)) onmessage?.(message, extra);
      };
      return start();
    };
  }

  private take(message: JSONRPCMessage, sink: ReplySink): boolean {
    if ('method' in message && message.method === 'notifications/cancelled' && !('id' in message)) {
      const id = message.params?.requestId;
      const cancellation = isRequestId(id) ? this.inFlight.get(id) : undefined;
      cancellation?.cancel(message.params?.reason);
      return cancellation !== undefined;
    }
    const call = toRawToolCall(message);
    if (!call) return false;
    this.call(call, sink);
    return true;
  }

  /** Runs a raw call and answers through `sink` unless it was cancelled. */
  call(call: RawToolCall, sink: ReplySink): void {
    const cancellation = new Cancellation();
    this.inFlight.set(call.id, cancellation);
    const notify = async (notification: ServerNotification) => {
      if (!cancellation.cancelled) sink.send({ ...notification, jsonrpc: '2.0' } as JSONRPCMessage, call.id);
    };
    const done = () => {
      if (this.inFlight.get(call.id) === cancellation) this.inFlight.delete(call.id);
    };
    this.run(call, cancellation, notify)
      .then(
        (answer) => {
          done();
          if (!cancellation.cancelled) sink.answer(call.id, answer);
        },
        (error: { code?: unknown; message?: string; data?: unknown } | undefined) => {
          done();
          if (cancellation.cancelled) return;
          sink.send(
            {
              jsonrpc: '2.0',
              id: call.id,
              error: {
                code: Number.isSafeInteger(error?.code) ? (error?.code as number) : ErrorCode.InternalError,
                message: error?.message ?? 'Internal error',
                ...(error?.data !== undefined ? { data: error.data } : {}),
              },
            },
            call.id,
          );
        },
      )
      .catch((error: Error) => this.onError(error));
  }

  /** The session closed: every call in flight is cancelled and answers nobody. */
  close(): void {
    for (const cancellation of this.inFlight.values()) cancellation.cancel();
    this.inFlight.clear();
  }
}
