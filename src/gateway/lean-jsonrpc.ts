import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { safeParse } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import { parseWithCompat } from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import { Protocol } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { STDIO_DEFAULT_MAX_BUFFER_SIZE } from '@modelcontextprotocol/sdk/shared/stdio.js';
import {
  type CallToolRequest,
  CallToolRequestSchema,
  type CallToolResult,
  CallToolResultSchema,
  CreateTaskResultSchema,
  ErrorCode,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { keepAnswerText } from './raw-channel.ts';

// The hot path of a forwarded tools/call crosses the SDK's zod schemas six times (the message
// union on both transports, the request twice in Server, the result in Client and in Server).
// The checks below accept only what those schemas accept and return what they would return
// (the same keys and values); anything else takes the SDK's own parse, with its errors.

type Obj = Record<string, unknown>;

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An object as `z.record(z.string(), z.unknown())` copies it unchanged (no `__proto__` key). */
export function isPlainRecord(v: unknown): v is Obj {
  return isObject(v) && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, '__proto__');
}

function ownKeyCount(v: Obj): number {
  let n = 0;
  for (const key in v) if (Object.hasOwn(v, key)) n++;
  return n;
}

const isId = (v: unknown) => typeof v === 'string' || Number.isSafeInteger(v);

/**
 * A parsed stdio line as a JSON-RPC message: requests and results without `_meta` are
 * checked by hand (strict keys, literal version, integer or string id), the rest by the SDK's
 * JSONRPCMessageSchema, which throws the same errors as before.
 */
export function toJsonRpcMessage(raw: unknown): JSONRPCMessage {
  if (isObject(raw) && raw.jsonrpc === '2.0' && isId(raw.id) && !Object.hasOwn(raw, '__proto__')) {
    const keys = ownKeyCount(raw);
    if (keys === 3 && isObject(raw.result) && raw.result._meta === undefined) return raw as JSONRPCMessage;
    if (typeof raw.method === 'string') {
      const params = raw.params;
      if (params === undefined && keys === 3 && !Object.hasOwn(raw, 'params')) return raw as JSONRPCMessage;
      if (keys === 4 && isPlainRecord(params) && params._meta === undefined) return raw as JSONRPCMessage;
    }
  }
  return JSONRPCMessageSchema.parse(raw);
}

/**
 * The SDK's ReadBuffer (newline-delimited JSON, same size limit and errors) with the lean check,
 * in linear time: a line that comes in many chunks is joined once, where the SDK's copies all
 * it holds on every chunk (seconds for a 10 MiB line). With `keepAnswers`, a response's line is
 * kept for its result to be passed on as sent.
 */
export class LeanReadBuffer {
  /** The start of a line whose end has not come yet. */
  private partial: Buffer[] = [];
  private partialSize = 0;
  /** The last chunk and how far it is read. */
  private current: Buffer | undefined;
  private offset = 0;

  constructor(
    private readonly maxBufferSize = STDIO_DEFAULT_MAX_BUFFER_SIZE,
    private readonly keepAnswers = false,
  ) {}

  append(chunk: Buffer): void {
    const held = this.partialSize + (this.current ? this.current.length - this.offset : 0);
    if (held + chunk.length > this.maxBufferSize) {
      this.clear();
      throw new Error(`ReadBuffer exceeded maximum size of ${this.maxBufferSize} bytes`);
    }
    if (this.current) this.keepRest();
    this.current = chunk;
    this.offset = 0;
  }

  readMessage(): JSONRPCMessage | null {
    const chunk = this.current;
    if (!chunk) return null;
    const index = chunk.indexOf(10, this.offset);
    if (index === -1) {
      this.keepRest();
      return null;
    }
    let line = chunk.subarray(this.offset, index);
    if (this.partial.length > 0) {
      line = Buffer.concat([...this.partial, line]);
      this.partial = [];
      this.partialSize = 0;
    }
    this.offset = index + 1;
    if (this.offset === chunk.length) this.current = undefined;
    const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    const text = line.toString('utf8', 0, end);
    const message = toJsonRpcMessage(JSON.parse(text));
    if (this.keepAnswers && 'result' in message) keepAnswerText(message, text);
    return message;
  }

  clear(): void {
    this.partial = [];
    this.partialSize = 0;
    this.current = undefined;
  }

  /** Moves what is left of the current chunk to the partial line. */
  private keepRest(): void {
    const chunk = this.current;
    if (!chunk) return;
    if (this.offset < chunk.length) {
      this.partial.push(chunk.subarray(this.offset));
      this.partialSize += chunk.length - this.offset;
    }
    this.current = undefined;
  }
}

/**
 * Results that already passed CallToolResultSchema (in the SDK Client, from a downstream
 * server); parsing them again returns an equal object, so the front skips that.
 */
const validatedResults = new WeakSet<object>();

export function markValidated(result: CallToolResult): CallToolResult {
  validatedResults.add(result);
  return result;
}

/** A tools/call request the SDK would pass through CallToolRequestSchema unchanged in what we read. */
function isLeanCallToolRequest(request: unknown): request is CallToolRequest {
  if (!isObject(request) || request.method !== 'tools/call') return false;
  const params = request.params;
  return (
    isPlainRecord(params) &&
    typeof params.name === 'string' &&
    params._meta === undefined &&
    params.task === undefined &&
    (params.arguments === undefined || isPlainRecord(params.arguments))
  );
}

type Extra = Parameters<Parameters<Server['setRequestHandler']>[1]>[1];

/**
 * Server.setRequestHandler(CallToolRequestSchema, handler) with the same contract and fewer
 * parses: the request is parsed once (not twice) and only when the lean check fails, and a
 * result is validated unless it already was. Task results are checked as Server does.
 */
export function setLeanCallToolHandler(
  server: Server,
  handler: (request: CallToolRequest, extra: Extra) => Promise<CallToolResult>,
): void {
  const validated = async (request: CallToolRequest, extra: Extra) => {
    const result = await handler(request, extra);
    if (request.params.task) {
      const task = safeParse(CreateTaskResultSchema, result);
      if (!task.success) {
        const message = task.error instanceof Error ? task.error.message : String(task.error);
        throw new McpError(ErrorCode.InvalidParams, `Invalid task creation result: ${message}`);
      }
      return task.data;
    }
    if (validatedResults.has(result)) return result;
    const checked = safeParse(CallToolResultSchema, result);
    if (!checked.success) {
      const message = checked.error instanceof Error ? checked.error.message : String(checked.error);
      throw new McpError(ErrorCode.InvalidParams, `Invalid tools/call result: ${message}`);
    }
    return checked.data;
  };
  // Protocol's registration (capability check), not Server's wrapper, which parses again.
  Protocol.prototype.setRequestHandler.call(server, CallToolRequestSchema, validated as never);
  const handlers = (server as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map) || !handlers.has('tools/call')) return;
  handlers.set('tools/call', (request: unknown, extra: Extra) =>
    Promise.resolve(
      validated(
        isLeanCallToolRequest(request)
          ? request
          : (parseWithCompat(CallToolRequestSchema, request) as CallToolRequest),
        extra,
      ),
    ),
  );
}

/** Lets a downstream result through the SDK Client untouched, for callTool to check. */
export const UncheckedResultSchema = z.unknown();

/**
 * A downstream tools/call result as `safeParse(CallToolResultSchema, raw)` returns it: text-only
 * results are rebuilt by hand (same keys, same order), anything else is parsed by the schema
 * and its ZodError thrown, as the SDK Client rejects with it.
 */
export function checkCallToolResult(raw: unknown): CallToolResult {
  if (isObject(raw) && Array.isArray(raw.content)) {
    const isError = raw.isError;
    const keys = ownKeyCount(raw);
    if (isError === undefined ? keys === 1 : keys === 2 && typeof isError === 'boolean') {
      const items = raw.content as unknown[];
      const content: CallToolResult['content'] = new Array(items.length);
      let i = 0;
      for (; i < items.length; i++) {
        const item = items[i];
        if (
          !isObject(item) ||
          item.type !== 'text' ||
          typeof item.text !== 'string' ||
          ownKeyCount(item) !== 2
        )
          break;
        content[i] = { type: 'text', text: item.text };
      }
      if (i === items.length)
        return isError === undefined ? { content } : { content, isError: isError as boolean };
    }
  }
  const parsed = safeParse(CallToolResultSchema, raw);
  if (!parsed.success) throw parsed.error;
  return parsed.data as CallToolResult;
}
