import {
  type ClientRequest,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

export interface NodeFetch {
  fetch: typeof fetch;
  /** A request on the same kept-alive sockets (http: or https: by the URL). */
  request(url: URL, opts: { method: string; headers: OutgoingHttpHeaders }): ClientRequest;
  close(): void;
}

function headersOf(res: IncomingMessage): Headers {
  const out = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else if (value !== undefined) out.set(name, value);
  }
  return out;
}

/**
 * A `fetch` for a downstream MCP server on node:http with kept-alive sockets. The SDK's
 * transport calls fetch once per message; undici's spec-complete fetch (body streams, several
 * writes per request) cost more CPU than the rest of the hop. Redirects are not followed.
 */
export function createNodeFetch(): NodeFetch {
  const agents = {
    'http:': new HttpAgent({ keepAlive: true }),
    'https:': new HttpsAgent({ keepAlive: true }),
  };
  const request = (
    url: URL,
    opts: { method: string; headers: OutgoingHttpHeaders; signal?: AbortSignal },
  ) => {
    const secure = url.protocol === 'https:';
    const req = (secure ? httpsRequest : httpRequest)(url, {
      ...opts,
      agent: agents[secure ? 'https:' : 'http:'],
    });
    req.setNoDelay(true);
    return req;
  };
  const nodeFetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return fetch(input, init);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string') return fetch(input, init);
    if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = request(url, {
        method: init.method ?? 'GET',
        headers,
        signal: init.signal ?? undefined,
      });
      req.once('error', reject);
      req.once('response', (res) => {
        const status = res.statusCode ?? 0;
        const empty = status === 204 || status === 304 || init.method === 'HEAD';
        if (empty) res.resume();
        resolve(
          new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
            status,
            statusText: res.statusMessage,
            headers: headersOf(res),
          }),
        );
      });
      req.end(body ?? undefined);
    });
  };
  return {
    fetch: nodeFetch as typeof fetch,
    request,
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
