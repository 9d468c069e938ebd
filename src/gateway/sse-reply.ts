import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { CLIENT_SIDE } from './body-dump.ts';
import type { GatewayLogger } from './logger.ts';
import type { ToolAnswer } from './meta-operations.ts';
import { type ReplySink, responseText } from './raw-front.ts';

/** How often a raw answer's stream still waiting gets a comment, as the SDK's transport sends. */
export const SSE_KEEP_ALIVE_MS = 15_000;

/**
 * The headers go out with the first message (one write for a quick call), or after this long
 * when the call takes longer, so the client sees its stream open as the SDK's transport shows it.
 */
const HEADERS_WITHIN_MS = 100;

export interface SseReply {
  sink: ReplySink;
  /** Resolves when the answer (or an error response) has been written. */
  done: Promise<void>;
  /** Writes the keep-alive comment if nothing went out for SSE_KEEP_ALIVE_MS. */
  keepAlive(now: number): void;
  /** The session closed: the stream ends without an answer, as the SDK's do. */
  close(): void;
}

/**
 * A raw tools/call answered on the node response the way the SDK's Streamable HTTP transport
 * answers a POST: `200 text/event-stream`, one `event: message` per message (progress first),
 * the stream closed after the answer.
 */
export function createSseReply(
  res: ServerResponse,
  sessionId: string,
  logger: GatewayLogger,
  onWrite: () => void,
): SseReply {
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let written = false;
  const headers = setTimeout(() => {
    if (open() && !written) res.flushHeaders();
  }, HEADERS_WITHIN_MS);
  headers.unref();
  const finish = () => {
    clearTimeout(headers);
    resolveDone();
  };
  let lastWrite = Date.now();
  const open = () => !res.destroyed && !res.writableEnded;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'mcp-session-id': sessionId,
  });
  const write = (json: string, last: boolean) => {
    written = true;
    onWrite();
    lastWrite = Date.now();
    if (logger.dumpBodies) logger.body(CLIENT_SIDE.out, JSON.parse(json));
    if (!open()) return;
    const event = `event: message\ndata: ${json}\n\n`;
    if (last) res.end(event);
    else res.write(event);
  };
  const sink: ReplySink = {
    send: (message: JSONRPCMessage) => {
      const last = 'id' in message && !('method' in message);
      write(JSON.stringify(message), last);
      if (last) finish();
    },
    answer: (id: RequestId, answer: ToolAnswer) => {
      write(responseText(id, answer), true);
      finish();
    },
  };
  // A client that went away gets nothing more; the call still runs to its end, as in the SDK.
  res.once('close', finish);
  return {
    sink,
    done,
    keepAlive(now) {
      if (open() && now - lastWrite >= SSE_KEEP_ALIVE_MS) {
        lastWrite = now;
        res.write(': keepalive\n\n');
      }
    },
    close() {
      if (open()) res.end();
      finish();
    },
  };
}
