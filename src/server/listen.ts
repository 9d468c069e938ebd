import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { HttpEnv } from './http-env.ts';

export interface Listening {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Serves the app on host:port (port 0 picks a free one) and resolves once it listens. */
export function listen(app: Hono<HttpEnv>, host: string, port: number): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: host, port }, (info: AddressInfo) => {
      const shownHost = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        host: info.address,
        port: info.port,
        url: `http://${shownHost}:${info.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
          }),
      });
    });
    // Longer than the idle timeouts of common load balancers and HTTP clients, so an idle
    // keep-alive connection is closed by the client, never under a request in flight.
    const http = server as unknown as { keepAliveTimeout: number; headersTimeout: number };
    http.keepAliveTimeout = 65_000;
    http.headersTimeout = 66_000;
    server.once('error', reject);
  });
}
