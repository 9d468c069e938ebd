import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { Logger } from '../logger.ts';
import type { HttpEnv } from './http-env.ts';

export interface Listening {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

const HEALTH_BODY = '{"status":"ok"}';

/**
 * Serves the app on host:port (port 0 picks a free one) and resolves once it listens.
 * `GET /health` is answered on the socket directly: load balancers probe it constantly,
 * and it needs nothing the app adds (the app answers it the same way for in-process calls).
 */
export function listen(app: Hono<HttpEnv>, host: string, port: number, logger: Logger): Promise<Listening> {
  const handle = getRequestListener(app.fetch);
  const server = createServer((req, res) => {
    if (req.url === '/health' && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': HEALTH_BODY.length });
      res.end(HEALTH_BODY);
      return;
    }
    void handle(req, res);
  });
  // Longer than the idle timeouts of common load balancers and HTTP clients, so an idle
  // keep-alive connection is closed by the client, never under a request in flight.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      // Errors after listening (EMFILE on accept) would be thrown without a listener.
      server.on('error', (err) => logger.error('HTTP server error', { error: String(err) }));
      const info = server.address() as AddressInfo;
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        host: info.address,
        port: info.port,
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
