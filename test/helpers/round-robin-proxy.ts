import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** The upstream each request went to, in order. */
  readonly log: string[];
  /** Replaces the upstream list (a killed replica taken out). */
  setUpstreams(urls: readonly string[]): void;
  close(): Promise<void>;
}

/**
 * A load balancer without affinity: request i goes to upstream i mod n, streamed both ways
 * (SSE included). An upstream that refuses the connection answers 502.
 */
export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  let targets = [...upstreams];
  let next = 0;
  const log: string[] = [];
  const server = createServer((req, res) => {
    const target = new URL(targets[next++ % targets.length] as string);
    log.push(target.origin);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (res.headersSent) res.destroy();
      else {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: `upstream ${target.origin}: ${err.message}`, error_code: 'bad_gateway' }),
        );
      }
    });
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setUpstreams(urls) {
      targets = [...urls];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
