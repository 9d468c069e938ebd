import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors.ts';
import type { ServerDeps } from '../pipeline/deps.ts';
import { callableTools, invokeTool } from '../pipeline/invoke.ts';
import type { Caller } from '../pipeline/team-state.ts';
import { agentNameFromClient } from '../sessions/names.ts';
import { createMcpServer, type McpExtra } from './create-mcp-server.ts';
import { createEndedSessions, type EndedSessions } from './ended-sessions.ts';
import { credentialOf, openSession, type SealedSession, sealSession } from './session-seal.ts';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  /** The credential that opened it (see Caller): another token, or this one re-issued, is refused. */
  caller: Caller;
  lastUsed: number;
  /** JSON-RPC ids being answered: the SDK routes answers by id, so a reused one would take over. */
  pendingIds: Set<string>;
}

/** What a request carries into the MCP handlers besides the JSON-RPC message. */
interface RequestInfo {
  caller: Caller;
  requestId: string;
  workspaceId: string | undefined;
  channelId: string | undefined;
  /** `x-leanctx-context`: the caching context of a request without a session. */
  contextId?: string | undefined;
  /** `x-leanctx-agent`; else the session's clientInfo.name names the agent. */
  agentName: string | undefined;
}

export interface McpRequest extends RequestInfo {
  request: Request;
  /** The parsed JSON body of a POST. */
  body: unknown;
}

export interface McpEndpoint {
  handle(req: McpRequest): Promise<Response>;
  sessionCount(): number;
  close(): Promise<void>;
}

function infoOf(extra: McpExtra): RequestInfo {
  const info = extra.authInfo?.extra?.leanctx as RequestInfo | undefined;
  if (!info) throw new AppError('unauthorized');
  return info;
}

const idKey = (id: unknown) => `${typeof id}:${String(id)}`;

/**
 * MCP Streamable HTTP at /mcp. A client that initializes gets a session (one SDK transport
 * and server), bound to the token that opened it, whose id is the caching context of every
 * read in it; a request without a session is answered on its own (stateless), as curl sends it.
 */
export function createMcpEndpoint(
  deps: ServerDeps,
  opts: { ended?: EndedSessions | undefined } = {},
): McpEndpoint {
  const sessions = new Map<string, Session>();
  const ended = opts.ended ?? createEndedSessions(undefined, deps.now, () => undefined);
  let closed = false;
  const secret = () => deps.state.config().sessionSecret;
  const credential = (key: string, caller: Caller) => {
    const digest = deps.state.config().tokens.find((t) => t.id === caller.tokenId && !t.revokedAt)?.sha256Hex;
    return credentialOf(key, digest ?? '');
  };

  /**
   * With a sessionSecret, a session id carries its token, context and expiry under an HMAC,
   * so a replica that did not open the session can serve it; here it is checked against the
   * caller. Undefined without a secret (sessions then live where they were opened).
   */
  const openSealed = (id: string, caller: Caller): SealedSession | undefined => {
    const key = secret();
    if (key === undefined) return undefined;
    const opened = openSession(key, id, deps.now());
    if (!opened.ok) {
      throw new AppError('not_found', `MCP session id ${opened.reason}; send a new initialize request`, {
        hint: 'start a new session without the mcp-session-id header',
      });
    }
    const s = opened.session;
    if (s.tokenId !== caller.tokenId || s.credential !== credential(key, caller)) {
      throw new AppError(
        'not_found',
        'this MCP session was opened with another token; send a new initialize request with your own',
        { hint: 'start a new session without the mcp-session-id header' },
      );
    }
    return s;
  };
  /** The caching context of a session: its sealed context id, else the id itself. */
  const contextOfSession = (id: string): string => {
    const key = secret();
    if (key === undefined) return id;
    const opened = openSession(key, id, deps.now());
    return opened.ok ? opened.session.contextId : id;
  };

  const closeSession = (s: Session) => {
    if (s.transport.sessionId) sessions.delete(s.transport.sessionId);
    deps.metrics.mcpSessions.set(sessions.size);
    s.transport.close().catch(() => undefined);
  };
  const expireIdle = () => {
    const cutoff = deps.now() - deps.state.config().mcpSessionIdleMs;
    for (const s of [...sessions.values()])
      if (s.lastUsed < cutoff && s.pendingIds.size === 0) closeSession(s);
  };
  // Re-armed each time, so a reloaded mcpSessionIdleMs applies to the next sweep.
  let sweep: NodeJS.Timeout | undefined;
  const armSweep = () => {
    const every = Math.min(60_000, Math.max(250, deps.state.config().mcpSessionIdleMs / 4));
    sweep = setTimeout(() => {
      try {
        expireIdle();
      } catch (err) {
        deps.logger.error('MCP session sweep failed', { error: String(err) });
      }
      if (!closed) armSweep();
    }, every);
    sweep.unref();
  };
  armSweep();
  // A revoked, re-issued or re-scoped token loses its sessions at once.
  const stopWatching = deps.state.onApply(() => {
    for (const s of [...sessions.values()]) if (!deps.state.isCurrent(s.caller)) closeSession(s);
  });

  const createServer = () =>
    createMcpServer({
      name: 'leanctx',
      version: deps.version,
      instructions:
        'leanctx: token-lean code context. Start with ctx_overview or ctx_tree, read with ctx_read (modes: signatures, map, lines:N-M), search with ctx_search; ctx_discover_tools finds more tools and ctx_call runs them.',
      listTools: (extra) => {
        const { caller } = infoOf(extra);
        return callableTools(deps, caller, deps.registry.listed(deps.state.config().toolSurface));
      },
      callTool: (name, args, extra, client) => {
        const { contextId, ...info } = infoOf(extra);
        return invokeTool(deps, {
          ...info,
          agentName: info.agentName ?? agentNameFromClient(client?.name),
          method: 'tools/call',
          name,
          args: args ?? {},
          // the original hashed `params.arguments` as sent: absent is ""
          auditArguments: () => args,
          contextId: extra.sessionId !== undefined ? contextOfSession(extra.sessionId) : contextId,
          signal: extra.signal,
        });
      },
    });

  const newSessionId = (caller: Caller, messages: readonly unknown[]): (() => string) => {
    const key = secret();
    if (key === undefined) return randomUUID;
    const init = messages.find((m) => isInitializeRequest(m));
    const params = init && isInitializeRequest(init) ? init.params : undefined;
    const protocolVersion = params?.protocolVersion ?? '';
    const clientName = (params?.clientInfo.name ?? '').slice(0, 64);
    return () =>
      sealSession(key, {
        tokenId: caller.tokenId,
        credential: credential(key, caller),
        contextId: randomUUID(),
        protocolVersion,
        clientName,
        expiresAt: deps.now() + deps.state.config().mcpSessionTtlMs,
      });
  };

  const newSession = async (
    caller: Caller,
    messages: readonly unknown[],
  ): Promise<WebStandardStreamableHTTPServerTransport> => {
    expireIdle();
    const limit = deps.state.config().maxMcpSessionsPerToken;
    const open = [...sessions.values()].filter((s) => s.caller.tokenId === caller.tokenId).length;
    if (open >= limit) {
      throw new AppError(
        'too_many_sessions',
        `token "${caller.tokenId}" has ${open} open MCP sessions, the most maxMcpSessionsPerToken allows; end one with DELETE /mcp or let idle ones expire`,
        { limit },
      );
    }
    const server = createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: newSessionId(caller, messages),
      // Tool answers are single results: plain JSON is cheaper than an SSE stream per POST.
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, caller, lastUsed: deps.now(), pendingIds: new Set() });
        deps.metrics.mcpSessions.set(sessions.size);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
        deps.metrics.mcpSessions.set(sessions.size);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      deps.metrics.mcpSessions.set(sessions.size);
    };
    await server.connect(transport);
    return transport;
  };

  /** Answers one POST without a session: a fresh server and transport, closed after the answer. */
  const stateless = async (
    request: Request,
    options: Parameters<Session['transport']['handleRequest']>[1],
  ) => {
    const server = createServer();
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, options);
    } finally {
      await server.close().catch(() => undefined);
    }
  };

  /**
   * DELETE of a sealed session, on whichever replica it lands: the end is recorded for every
   * replica (Redis) before the answer, and the transport is closed if this replica holds it.
   */
  const endSealed = async (id: string, sealed: SealedSession): Promise<Response> => {
    let failure: unknown;
    try {
      await ended.end(id, sealed.expiresAt);
    } catch (err) {
      failure = err;
    }
    const held = sessions.get(id);
    if (held) closeSession(held);
    if (failure !== undefined) {
      throw new AppError(
        'store_unavailable',
        `the MCP session was ended on this replica, but Redis did not record its end, so another replica may serve it until ${new Date(sealed.expiresAt).toISOString()}; send DELETE /mcp again when Redis is back`,
        { dependency: 'redis' },
      );
    }
    return new Response(null, { status: 200 });
  };

  /**
   * A sealed session this replica does not hold: each POST is answered on its own with the
   * session's context, as the replica that opened it would. The server-to-client stream (GET)
   * stays with that replica.
   */
  const servedElsewhere = async (
    req: McpRequest,
    sealed: SealedSession,
    messages: readonly unknown[],
    options: Parameters<Session['transport']['handleRequest']>[1] & {
      authInfo: { extra: { leanctx: RequestInfo } };
    },
  ): Promise<Response> => {
    if (req.request.method !== 'POST') {
      throw new AppError(
        'method_not_allowed',
        'the server-to-client stream of this MCP session is held by the replica that opened it; POST requests are served here',
      );
    }
    claimIds(new Set(), messages);
    const info = options.authInfo.extra.leanctx;
    info.contextId = sealed.contextId;
    info.agentName ??= sealed.clientName ? agentNameFromClient(sealed.clientName) : undefined;
    return stateless(req.request, options);
  };

  return {
    async handle(req) {
      const messages: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
      await chargeBatch(deps, req.caller, messages.length);
      const leanctx: RequestInfo = {
        caller: req.caller,
        requestId: req.requestId,
        workspaceId: req.workspaceId,
        channelId: req.channelId,
        contextId: req.contextId,
        agentName: req.agentName,
      };
      const authInfo = {
        token: 'redacted',
        clientId: req.caller.tokenId,
        scopes: [...req.caller.scopes],
        extra: { leanctx },
      };
      const options = { parsedBody: req.body, authInfo };
      const sessionId = req.request.headers.get('mcp-session-id');
      if (sessionId) {
        const sealed = openSealed(sessionId, req.caller);
        if (sealed && (await ended.isEnded(sessionId))) {
          const held = sessions.get(sessionId);
          if (held) closeSession(held);
          throw new AppError(
            'not_found',
            'this MCP session was ended with DELETE /mcp; send a new initialize request',
            { hint: 'start a new session without the mcp-session-id header' },
          );
        }
        if (sealed && req.request.method === 'DELETE') return endSealed(sessionId, sealed);
        const session = sessions.get(sessionId);
        if (!session && sealed) return servedElsewhere(req, sealed, messages, options);
        if (!session || session.caller !== req.caller) {
          throw new AppError('not_found', 'unknown or expired MCP session; send a new initialize request', {
            hint: 'start a new session without the mcp-session-id header',
          });
        }
        session.lastUsed = deps.now();
        if (req.request.method !== 'POST') return session.transport.handleRequest(req.request, options);
        const ids = claimIds(session.pendingIds, messages);
        try {
          return await session.transport.handleRequest(req.request, options);
        } finally {
          for (const id of ids) session.pendingIds.delete(id);
          session.lastUsed = deps.now();
        }
      }
      if (req.request.method !== 'POST') {
        throw new AppError('invalid_request', `${req.request.method} /mcp needs an mcp-session-id header`);
      }
      if (!messages.some((m) => isInitializeRequest(m))) {
        claimIds(new Set(), messages);
        return stateless(req.request, options);
      }
      const transport = await newSession(req.caller, messages);
      return transport.handleRequest(req.request, options);
    },
    sessionCount: () => sessions.size,
    async close() {
      closed = true;
      clearTimeout(sweep);
      stopWatching();
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.transport.close().catch(() => undefined)));
    },
  };
}

/** A batch costs one rate-limit token per message; the HTTP request already paid for one. */
async function chargeBatch(deps: ServerDeps, caller: Caller, count: number): Promise<void> {
  if (count <= 1) return;
  const burst = deps.state.config().rateBurst;
  if (count > burst) {
    throw new AppError(
      'invalid_request',
      `a JSON-RPC batch of ${count} messages is more than rateBurst (${burst}) allows at once; send smaller batches`,
      { limit: burst },
    );
  }
  const decision = await deps.limiter.take(`token:${caller.tokenId}`, count - 1);
  if (!decision.ok) {
    throw new AppError(
      'rate_limited',
      `rate limit reached for token "${caller.tokenId}": a batch of ${count} messages costs ${count}; retry in ${decision.retryAfterSec} s`,
      { retryAfter: decision.retryAfterSec },
    );
  }
}

/** Marks the batch's request ids as in flight; an id in flight already, or twice in the batch, is refused. */
function claimIds(pending: Set<string>, messages: readonly unknown[]): string[] {
  const ids: string[] = [];
  for (const m of messages) {
    if (!isJSONRPCRequest(m)) continue;
    const key = idKey(m.id);
    if (pending.has(key) || ids.includes(key)) {
      throw new AppError(
        'invalid_request',
        `JSON-RPC id ${JSON.stringify(m.id)} is already in use by a request in flight on this session; give every request its own id`,
        { id: m.id },
      );
    }
    ids.push(key);
  }
  for (const id of ids) pending.add(id);
  return ids;
}
