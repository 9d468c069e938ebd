import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import type { Server as McpServer } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { parseBearer, secretMatches } from '../auth/bearer.ts';
import { checkHost, type HostPolicy } from '../auth/host-check.ts';
import type { TransportConfig } from '../config/servers-config.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { CLIENT_SIDE, dumpBodies } from './body-dump.ts';
import type { Gateway } from './gateway.ts';
import type { GatewayLogger } from './logger.ts';
import { createGatewayMcpServer } from './mcp-front.ts';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  /** Last request from the client or message to it (ms since epoch). */
  lastSeen: number;
}

function failure(code: ErrorCode, message: string): Response {
  const err = new AppError(code, message);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="lazy-mcp"';
  return new Response(JSON.stringify(err.toJSON()), { status: err.status, headers });
}

/** Reads at most `limit` bytes of the body; undefined when it is larger. */
async function readLimited(req: Request, limit: number): Promise<Uint8Array | undefined> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A request without a session (curl's tools/list): a fresh server and transport, closed after the answer. */
async function answerStateless(
  gateway: Gateway,
  logger: GatewayLogger,
  request: Request,
  parsedBody: unknown,
): Promise<Response> {
  const server = createGatewayMcpServer(gateway, logger);
  const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
  dumpBodies(transport, logger, CLIENT_SIDE);
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody });
  } finally {
    await server.close().catch(() => {});
  }
}

export interface GatewayHttpApp {
  app: Hono<{ Bindings: HttpBindings }>;
  closeSessions(): Promise<void>;
}

/**
 * Streamable HTTP in front of the gateway: Host and Origin checks (DNS rebinding; never
 * trusting X-Forwarded-*), bearer auth, a body limit, then one MCP session per client.
 */
export function createGatewayHttpApp(
  gateway: Gateway,
  logger: GatewayLogger,
  cfg: TransportConfig,
): GatewayHttpApp {
  const sessions = new Map<string, Session>();
  const idleMs = cfg.sessionIdleTimeoutMs;
  /** Closes sessions unused for sessionIdleTimeoutMs; their clients get 404 and initialize again. */
  const expire = () => {
    const now = Date.now();
    for (const [id, session] of sessions) {
      if (now - session.lastSeen < idleMs) continue;
      sessions.delete(id);
      logger.info('closing an idle HTTP session', { idleMs: now - session.lastSeen });
      void session.server.close().catch(() => {});
    }
  };
  const sweeper = idleMs > 0 ? setInterval(expire, Math.min(idleMs, 60_000)) : undefined;
  sweeper?.unref();
  const hostPolicy: HostPolicy = {
    bindHost: cfg.host,
    allowedHosts: cfg.allowedHosts,
    allowedOrigins: cfg.allowedOrigins,
  };
  const app = new Hono<{ Bindings: HttpBindings }>();

  app.use('*', async (c, next) => {
    const started = Date.now();
    await next();
    logger.info('http access', {
      clientIp: c.env?.incoming?.socket?.remoteAddress,
      forwardedFor: c.req.header('x-forwarded-for'),
      httpMethod: c.req.method,
      path: c.req.path,
      mcpMethod: c.get('mcpMethod' as never),
      status: c.res.status,
      durationMs: Date.now() - started,
    });
  });

  app.all(cfg.path, async (c) => {
    const verdict = checkHost(c.req.header('host'), c.req.header('origin'), hostPolicy);
    if (!verdict.ok) {
      const key = verdict.header === 'host' ? 'allowedHosts' : 'allowedOrigins';
      return failure(
        'host_not_allowed',
        `${verdict.header === 'host' ? 'Host' : 'Origin'} "${verdict.value}" is not allowed; add it to transport.${key}`,
      );
    }
    if (cfg.authToken) {
      const token = parseBearer(c.req.header('authorization'));
      if (!token || !secretMatches(token, cfg.authToken)) {
        return failure(
          'unauthorized',
          'Send "Authorization: Bearer <token>" with the token from transport.authToken',
        );
      }
    }
    let parsedBody: unknown;
    if (c.req.method === 'POST') {
      const declared = Number(c.req.header('content-length') ?? '0');
      const tooLarge = () =>
        failure(
          'payload_too_large',
          `The body exceeds ${cfg.maxPayloadSize} bytes; send less or raise transport.maxPayloadSize`,
        );
      if (declared > cfg.maxPayloadSize) return tooLarge();
      const bytes = await readLimited(c.req.raw, cfg.maxPayloadSize);
      if (!bytes) return tooLarge();
      try {
        parsedBody = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        return failure('invalid_request', 'The body is not valid JSON; send a JSON-RPC message');
      }
      const first = Array.isArray(parsedBody) ? parsedBody[0] : parsedBody;
      if (first && typeof first === 'object' && 'method' in first)
        c.set('mcpMethod' as never, String(first.method) as never);
    }
    const sessionId = c.req.header('mcp-session-id');
    let session = sessionId ? sessions.get(sessionId) : undefined;
    if (session) session.lastSeen = Date.now();
    if (sessionId && !session) {
      return failure(
        'not_found',
        `Unknown or closed MCP session "${sessionId}"; start a new one with initialize`,
      );
    }
    if (!session) {
      const isInit = Array.isArray(parsedBody)
        ? parsedBody.some(isInitializeRequest)
        : isInitializeRequest(parsedBody);
      if (c.req.method !== 'POST') {
        return failure('invalid_request', `No MCP session: ${c.req.method} needs an Mcp-Session-Id header`);
      }
      if (!isInit) return answerStateless(gateway, logger, c.req.raw, parsedBody);
      if (sessions.size >= cfg.maxSessions && idleMs > 0) expire();
      if (sessions.size >= cfg.maxSessions) {
        return failure(
          'overloaded',
          `lazy-mcp holds its limit of ${cfg.maxSessions} MCP sessions; end unused ones (DELETE with Mcp-Session-Id), or raise transport.maxSessions`,
        );
      }
      const server = createGatewayMcpServer(gateway, logger);
      const fresh: Session = {
        transport: new WebStandardStreamableHTTPServerTransport({
          sessionIdGenerator: () => randomUUID(),
          onsessioninitialized: (id) => {
            sessions.set(id, fresh);
          },
          onsessionclosed: (id) => {
            sessions.delete(id);
          },
        }),
        server,
        lastSeen: Date.now(),
      };
      const { transport } = fresh;
      dumpBodies(transport, logger, CLIENT_SIDE);
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await server.connect(transport);
      // A long call that reports progress keeps its session alive.
      const send = transport.send.bind(transport);
      transport.send = (message, options) => {
        fresh.lastSeen = Date.now();
        return send(message, options);
      };
      session = fresh;
    }
    return session.transport.handleRequest(c.req.raw, { parsedBody });
  });

  app.notFound(() => failure('not_found', `No route here; the MCP endpoint is ${cfg.path}`));
  app.onError((err) => {
    logger.error('http handler failed', { error: err.message });
    return failure('internal_error', 'Internal server error.');
  });

  return {
    app,
    async closeSessions() {
      clearInterval(sweeper);
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.server.close().catch(() => {})));
    },
  };
}

export interface GatewayHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenGatewayHttp(
  gateway: Gateway,
  logger: GatewayLogger,
  cfg: TransportConfig,
): Promise<GatewayHttpServer> {
  const { app, closeSessions } = createGatewayHttpApp(gateway, logger, cfg);
  const { server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>(
    (resolve, reject) => {
      const s = serve({ fetch: app.fetch, port: cfg.port, hostname: cfg.host }, (info) =>
        resolve({ server: s, info }),
      );
      s.once('error', reject);
    },
  );
  server.on('error', (err) => logger.error('http server error', { error: err.message }));
  const hostForUrl = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  const url = `http://${hostForUrl}:${info.port}${cfg.path}`;
  logger.info('listening', { url, auth: cfg.authToken ? 'bearer' : 'none' });
  return {
    url,
    port: info.port,
    async close() {
      await closeSessions();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      });
    },
  };
}
