import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type HttpBindings, serve } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isJsonContentType } from '@modelcontextprotocol/sdk/shared/mediaType.js';
import { isInitializeRequest, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { parseBearer, secretMatches } from '../auth/bearer.ts';
import { checkHost, type HostPolicy } from '../auth/host-check.ts';
import type { TransportConfig } from '../config/servers-config.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { CLIENT_SIDE, dumpBodies } from './body-dump.ts';
import type { Gateway } from './gateway.ts';
import type { GatewayLogger } from './logger.ts';
import { createGatewayMcpServer, type GatewayMcpServer } from './mcp-front.ts';
import { type RawToolCall, toRawToolCall } from './raw-front.ts';
import { createSseReply, SSE_KEEP_ALIVE_MS, type SseReply } from './sse-reply.ts';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: GatewayMcpServer;
  /** Last request from the client or message to it (ms since epoch). */
  lastSeen: number;
  /** Raw tools/call answers still streaming. */
  replies: Set<SseReply>;
}

function failure(code: ErrorCode, message: string): Response {
  const err = new AppError(code, message);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (code === 'unauthorized') headers['www-authenticate'] = 'Bearer realm="lazy-mcp"';
  return new Response(JSON.stringify(err.toJSON()), { status: err.status, headers });
}

/**
 * Whether the SDK's transport would take this POST as it is (both media types accepted, a JSON
 * body, a supported protocol version); only then may a raw call skip it.
 */
function rawAnswerable(headers: Headers): boolean {
  const accept = headers.get('accept');
  const version = headers.get('mcp-protocol-version');
  return (
    accept?.includes('application/json') === true &&
    accept.includes('text/event-stream') &&
    isJsonContentType(headers.get('content-type')) &&
    (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version))
  );
}

/**
 * Reads at most `limit` bytes of the body; undefined when it is larger. From the node request
 * where there is one: the web stream over it costs more than the rest of a small call.
 */
async function readLimited(
  req: Request,
  incoming: IncomingMessage | undefined,
  limit: number,
): Promise<Uint8Array | undefined> {
  if (incoming && !incoming.readableDidRead) return readIncomingLimited(incoming, limit);
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

function readIncomingLimited(incoming: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      incoming.off('data', onData);
      incoming.resume();
      resolve(undefined);
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    incoming.once('error', reject);
    incoming.once('close', () => {
      if (!incoming.complete) reject(new Error('the client closed the connection before the body ended'));
    });
  });
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
  const keepAlive = setInterval(() => {
    const now = Date.now();
    for (const session of sessions.values()) for (const reply of session.replies) reply.keepAlive(now);
  }, SSE_KEEP_ALIVE_MS / 3);
  keepAlive.unref();
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
      const bytes = await readLimited(
        c.req.raw,
        c.env?.incoming as IncomingMessage | undefined,
        cfg.maxPayloadSize,
      );
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
        replies: new Set(),
      };
      const { transport } = fresh;
      dumpBodies(transport, logger, CLIENT_SIDE);
      transport.onclose = () => {
        if (transport.sessionId) sessions.delete(transport.sessionId);
        for (const reply of fresh.replies) reply.close();
      };
      await server.connect(transport);
      // A long call that reports progress keeps its session alive.
      const send = transport.send.bind(transport);
      transport.send = (message, options) => {
        fresh.lastSeen = Date.now();
        return send(message, options);
      };
      session = fresh;
    } else {
      const call = session.server.raw && toRawToolCall(parsedBody);
      const res = c.env?.outgoing as ServerResponse | undefined;
      if (call && res && rawAnswerable(c.req.raw.headers) && sessionId) {
        if (logger.dumpBodies) logger.body(CLIENT_SIDE.in, parsedBody);
        return answerRaw(session, sessionId, call, res);
      }
    }
    return session.transport.handleRequest(c.req.raw, { parsedBody });
  });

  /** A tools/call past the SDK transport: answered on the node response, then left to Hono as sent. */
  const answerRaw = async (session: Session, sessionId: string, call: RawToolCall, res: ServerResponse) => {
    const reply = createSseReply(res, sessionId, logger, () => {
      session.lastSeen = Date.now();
    });
    session.replies.add(reply);
    session.server.raw?.call(call, reply.sink);
    await reply.done;
    session.replies.delete(reply);
    return RESPONSE_ALREADY_SENT;
  };

  app.notFound(() => failure('not_found', `No route here; the MCP endpoint is ${cfg.path}`));
  app.onError((err) => {
    logger.error('http handler failed', { error: err.message });
    return failure('internal_error', 'Internal server error.');
  });

  return {
    app,
    async closeSessions() {
      clearInterval(sweeper);
      clearInterval(keepAlive);
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
