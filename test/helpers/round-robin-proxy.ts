import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RoundRobinProxy {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** Which target each request went to, in arrival order (indexes into `targets`). */
  picks: readonly number[];
  /** The target origin each request went to, in arrival order. */
  readonly log: readonly string[];
  /** Replaces the targets (a killed replica taken out); the turn starts again at the first. */
  setUpstreams(urls: readonly string[]): void;
  close(): Promise<void>;
}

/** Hop-by-hop headers describe one connection; the proxy's own connection to the client sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive']);

/**
 * The target's raw headers without its hop-by-hop ones: forwarding the target's
 * `Keep-Alive: timeout=65` would let the client reuse a socket this server closes after its own 5 s.
 */
function endToEnd(raw: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!HOP_BY_HOP.has((raw[i] as string).toLowerCase())) out.push(raw[i] as string, raw[i + 1] as string);
  }
  return out;
}

/**
 * A load balancer as small as a test needs: each new request goes to the next target in turn
 * (no stickiness, no retries), bodies stream both ways, and nothing is buffered, so an SSE
 * event reaches the client as the target writes it. A target that cannot be reached answers
 * 502 with a JSON envelope. Listens on 127.0.0.1:0.
 */
export async function startRoundRobinProxy(targets: string[]): Promise<RoundRobinProxy> {
  if (targets.length === 0) throw new Error('startRoundRobinProxy: give at least one target URL');
  let upstreams = targets.map((t) => new URL(t));
  const picks: number[] = [];
  const log: string[] = [];
  const sockets = new Set<Socket>();
  const agent = new Agent({ keepAlive: true });
  let next = 0;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const index = next;
    next = (next + 1) % upstreams.length;
    picks.push(index);
    const target = upstreams[index] as URL;
    log.push(target.origin);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        agent,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.rawHeaders));
        // Headers go out now: an SSE stream's first event may be a while away.
        res.flushHeaders();
        answer.pipe(res);
        answer.once('error', () => res.destroy());
      },
    );
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = JSON.stringify({
        error_code: 'bad_gateway',
        message: `target ${target.origin} failed: ${err.code ?? err.message}`,
      });
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    // A client that goes away (an SSE subscriber closing) closes its upstream request too.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer(forward);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    picks,
    log,
    setUpstreams(urls) {
      if (urls.length === 0) throw new Error('setUpstreams: give at least one target URL');
      upstreams = urls.map((t) => new URL(t));
      next = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
}
