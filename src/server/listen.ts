import { createServer, STATUS_CODES } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { AppError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { HEALTH_BODY, HEALTH_CONTENT_TYPE } from './health.ts';
import type { HttpEnv } from './http-env.ts';

export interface Listening {
  host: string;
  port: number;
  url: string;
  /** Headers and body must arrive within this many ms (config reload). */
  setRequestReadTimeout(ms: number): void;
  close(): Promise<void>;
}

export interface ListenOptions {
  logger: Logger;
  requestReadTimeoutMs: number;
}

/** Node's own refusals (a request too slow, headers too large, not HTTP) as our JSON envelope. */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex & { bytesWritten?: number }): void {
  if (!socket.writable || (socket.bytesWritten ?? 0) > 0 || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [code, message]: [ErrorCode, string] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['read_timeout', 'the request headers and body did not arrive within requestReadTimeoutMs']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? ['headers_too_large', 'the request headers are over 16 KiB; send fewer or shorter headers']
        : ['invalid_request', 'the request is not valid HTTP/1.1'];
  const appErr = new AppError(code, message);
  const body = JSON.stringify(appErr.toJSON());
  socket.end(
    `HTTP/1.1 ${appErr.status} ${STATUS_CODES[appErr.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/**
 * Serves the app on host:port (port 0 picks a free one) and resolves once it listens.
 * `GET /health` is answered on the socket directly: load balancers probe it constantly,
 * and it needs nothing the app adds (the app answers it the same way for in-process calls).
 */
export function listen(
  app: Hono<HttpEnv>,
  host: string,
  port: number,
  opts: ListenOptions,
): Promise<Listening> {
  const handle = getRequestListener(app.fetch);
  const server = createServer(
    {
      requestTimeout: opts.requestReadTimeoutMs,
      headersTimeout: opts.requestReadTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, opts.requestReadTimeoutMs),
    },
    (req, res) => {
      if (req.url === '/health' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': HEALTH_CONTENT_TYPE, 'content-length': HEALTH_BODY.length });
        res.end(HEALTH_BODY);
        return;
      }
      void handle(req, res);
    },
  );
  // Longer than the idle timeouts of common load balancers and HTTP clients, so an idle
  // keep-alive connection is closed by the client, never under a request in flight.
  server.keepAliveTimeout = 65_000;
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Errors after listening (EMFILE on accept) would be thrown without a listener.
      server.on('error', (err) => opts.logger.error('HTTP server error', { error: String(err) }));
      const info = server.address() as AddressInfo;
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        host: info.address,
        port: info.port,
        url: `http://${shownHost}:${info.port}`,
        setRequestReadTimeout(ms) {
          server.requestTimeout = ms;
          server.headersTimeout = ms;
        },
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
