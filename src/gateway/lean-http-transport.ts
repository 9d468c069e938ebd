import type { ClientRequest, IncomingMessage } from 'node:http';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mediaTypeEssence } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { normalizeHeaders, type TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { MAX_DOWNSTREAM_MESSAGE_BYTES } from './child-transport.ts';
import { toJsonRpcMessage } from './lean-jsonrpc.ts';
import { createNodeFetch, type NodeFetch } from './node-fetch.ts';
import { keepAnswerText } from './raw-channel.ts';
import { SseParser } from './sse-parser.ts';

/** As on stdio: the largest answer kept, here in characters of the SSE event or JSON body. */
const MAX_ANSWER_CHARS = MAX_DOWNSTREAM_MESSAGE_BYTES;

/** The SDK transport's members this subclass uses (TypeScript-private there, plain fields at run time). */
interface SdkInternals {
  _scheduleReconnection(options: { resumptionToken: string | undefined }, attempt: number): void;
}

/**
 * The SDK's Streamable HTTP client with its POSTs after initialize sent on node:http: kept-alive
 * sockets, headers worked out once per session, the response read as a node stream and its SSE
 * parsed in place (undici's fetch and web streams cost more CPU than the rest of the hop).
 * What a POST means is the SDK's: the same headers, status handling and errors, messages
 * checked as JSONRPCMessageSchema does, an interrupted stream resumed by the SDK. Initialize,
 * the GET stream, DELETE and redirects stay on the SDK's own code (with the same sockets).
 */
export class LeanStreamableHttpTransport extends StreamableHTTPClientTransport {
  private readonly pool: NodeFetch;
  private readonly inFlight = new Set<ClientRequest>();
  private headers: { key: string; value: Record<string, string> } | undefined;

  constructor(
    private readonly endpoint: URL,
    private readonly requestInit: RequestInit,
  ) {
    const pool = createNodeFetch();
    super(endpoint, { requestInit, fetch: pool.fetch });
    this.pool = pool;
  }

  override async send(
    message: JSONRPCMessage | JSONRPCMessage[],
    options?: TransportSendOptions,
  ): Promise<void> {
    const lean =
      !Array.isArray(message) &&
      this.protocolVersion !== undefined &&
      options?.resumptionToken === undefined &&
      !(
        'method' in message &&
        (message.method === 'initialize' || message.method === 'notifications/initialized')
      );
    if (!lean) return super.send(message, options);
    let outcome: 'redirected' | undefined;
    try {
      outcome = await this.post(message);
    } catch (error) {
      this.onerror?.(error as Error);
      throw error;
    }
    // Not answered: the SDK's send follows a redirect within the origin, or explains it.
    if (outcome === 'redirected') return super.send(message, options);
  }

  override async close(): Promise<void> {
    for (const request of this.inFlight) request.destroy();
    this.inFlight.clear();
    try {
      await super.close();
    } finally {
      this.pool.close();
    }
  }

  /** What `_commonHeaders()` and send() would set, as one object, for this session. */
  private postHeaders(): Record<string, string> {
    const key = `${this.sessionId}\n${this.protocolVersion}`;
    if (this.headers?.key === key) return this.headers.value;
    const headers = new Headers({
      ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
      ...(this.protocolVersion ? { 'mcp-protocol-version': this.protocolVersion } : {}),
      ...normalizeHeaders(this.requestInit.headers),
    });
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/json, text/event-stream');
    const value: Record<string, string> = {};
    headers.forEach((v, name) => {
      value[name] = v;
    });
    this.headers = { key, value };
    return value;
  }

  /** Resolves once the answer is under way (SSE) or handled (JSON), as the SDK's send does. */
  private post(message: JSONRPCMessage): Promise<'redirected' | undefined> {
    const body = JSON.stringify(message);
    const headers = { ...this.postHeaders(), 'content-length': String(Buffer.byteLength(body)) };
    return new Promise((resolve, reject) => {
      const request = this.pool.request(this.endpoint, { method: 'POST', headers });
      this.inFlight.add(request);
      const done = () => this.inFlight.delete(request);
      request.once('error', (err) => {
        done();
        reject(err);
      });
      request.once('response', (res) => {
        res.once('close', done);
        this.answer(message, res).then(resolve, reject);
      });
      request.end(body);
    });
  }

  private async answer(message: JSONRPCMessage, res: IncomingMessage): Promise<'redirected' | undefined> {
    const status = res.statusCode ?? 0;
    const sessionId = res.headers['mcp-session-id'];
    if (typeof sessionId === 'string' && sessionId !== this.sessionId) {
      // The SDK adopts a new session id from any answer; so does its own send.
      (this as unknown as { _sessionId: string })._sessionId = sessionId;
    }
    if (status >= 300 && status < 400) {
      res.resume();
      return 'redirected';
    }
    if (status < 200 || status >= 300) {
      const text = await readText(res).catch(() => null);
      throw new StreamableHTTPError(status, `Error POSTing to endpoint: ${text}`);
    }
    if (status === 202 || !('method' in message && 'id' in message)) {
      res.resume();
      return undefined;
    }
    const type = mediaTypeEssence(res.headers['content-type']);
    const id = message.id;
    if (type === 'text/event-stream') {
      this.readEvents(res, id);
      return undefined;
    }
    if (type === 'application/json') {
      const text = await readText(res, MAX_ANSWER_CHARS);
      if (text === undefined) {
        this.tooLarge(id);
        return undefined;
      }
      const data: unknown = JSON.parse(text);
      const messages = Array.isArray(data) ? data.map(toJsonRpcMessage) : [toJsonRpcMessage(data)];
      if (!Array.isArray(data)) keepAnswerText(messages[0] as object, text);
      for (const m of messages) this.onmessage?.(m);
      return undefined;
    }
    res.resume();
    throw new StreamableHTTPError(-1, `Unexpected content type: ${res.headers['content-type']}`);
  }

  /** An answer over the limit is dropped; the request fails with an error saying so. */
  private tooLarge(id: RequestId): void {
    const message = `the answer was more than ${MAX_ANSWER_CHARS} characters (the limit per downstream message) and was dropped`;
    this.onerror?.(new Error(message));
    this.onmessage?.({ jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message } });
  }

  /** The SDK's _handleSseStream for a POST's stream, on the node stream. */
  private readEvents(res: IncomingMessage, id: RequestId): void {
    let lastEventId: string | undefined;
    let receivedResponse = false;
    let ended = false;
    const parser = new SseParser((event) => {
      if (event.id) lastEventId = event.id;
      if (!event.data || (event.event && event.event !== 'message')) return;
      try {
        const message = toJsonRpcMessage(JSON.parse(event.data));
        if ('result' in message) {
          receivedResponse = true;
          keepAnswerText(message, event.data);
        }
        this.onmessage?.(message);
      } catch (error) {
        this.onerror?.(error as Error);
      }
    }, MAX_ANSWER_CHARS);
    const end = (error?: Error) => {
      if (ended) return;
      ended = true;
      if (error) this.onerror?.(new Error(`SSE stream disconnected: ${error}`));
      // A stream with event ids that ended before its answer is resumed, as the SDK does.
      if (lastEventId !== undefined && !receivedResponse && !this.closing()) {
        (this as unknown as SdkInternals)._scheduleReconnection({ resumptionToken: lastEventId }, 0);
      }
    };
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      if (ended) return;
      try {
        parser.push(chunk);
      } catch (error) {
        ended = true;
        res.destroy();
        if (error instanceof RangeError) this.tooLarge(id);
        else this.onerror?.(error as Error);
      }
    });
    res.once('end', () => end());
    res.once('error', (err) => end(err));
    res.once('aborted', () => end(new Error('aborted')));
  }

  private closing(): boolean {
    const controller = (this as unknown as { _abortController?: AbortController })._abortController;
    return controller === undefined || controller.signal.aborted;
  }
}

/** The body as text; undefined (and the rest dropped) past `limit` bytes. */
function readText(res: IncomingMessage, limit = Number.POSITIVE_INFINITY): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (!res.destroyed) {
        res.destroy();
        resolve(undefined);
      }
    });
    res.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.once('error', reject);
  });
}
