import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors.ts';
import type { ServerDeps } from '../pipeline/deps.ts';
import { callableTools, invokeTool } from '../pipeline/invoke.ts';
import type { Caller } from '../pipeline/team-state.ts';
import { agentNameFromClient } from '../sessions/names.ts';
import { createMcpServer, type McpExtra } from './create-mcp-server.ts';

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: Server;
  tokenId: string;
  lastUsed: number;
}

/** What a request carries into the MCP handlers besides the JSON-RPC message. */
interface RequestInfo {
  caller: Caller;
  requestId: string;
  workspaceId: string | undefined;
  channelId: string | undefined;
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

const SESSION_IDLE_MS = 30 * 60 * 1000;

function infoOf(extra: McpExtra): RequestInfo {
  const info = extra.authInfo?.extra?.leanctx as RequestInfo | undefined;
  if (!info) throw new AppError('unauthorized');
  return info;
}

/**
 * MCP Streamable HTTP at /mcp: one SDK transport and server per session, each bound to the
 * token that opened it. The session id is the caching context of every read in it.
 */
export function createMcpEndpoint(deps: ServerDeps): McpEndpoint {
  const sessions = new Map<string, Session>();

  const sweep = setInterval(() => {
    const cutoff = deps.now() - SESSION_IDLE_MS;
    for (const s of sessions.values()) if (s.lastUsed < cutoff) void s.transport.close();
  }, 60_000);
  sweep.unref();

  const newSession = async (tokenId: string): Promise<WebStandardStreamableHTTPServerTransport> => {
    const server = createMcpServer({
      name: 'leanctx',
      version: deps.version,
      instructions:
        'leanctx: token-lean code context. Start with ctx_overview or ctx_tree, read with ctx_read (modes: signatures, map, lines:N-M), search with ctx_search; ctx_discover_tools finds more tools and ctx_call runs them.',
      listTools: (extra) => {
        const { caller } = infoOf(extra);
        return callableTools(deps, caller, deps.registry.listed(deps.state.config().toolSurface));
      },
      callTool: (name, args, extra, client) => {
        const info = infoOf(extra);
        return invokeTool(deps, {
          ...info,
          agentName: info.agentName ?? agentNameFromClient(client?.name),
          method: 'tools/call',
          name,
          args: args ?? {},
          contextId: extra.sessionId,
          signal: extra.signal,
        });
      },
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      // Tool answers are single results: plain JSON is cheaper than an SSE stream per POST.
      enableJsonResponse: true,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, tokenId, lastUsed: deps.now() });
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

  return {
    async handle(req) {
      const authInfo = {
        token: 'redacted',
        clientId: req.caller.tokenId,
        scopes: [...req.caller.scopes],
        extra: {
          leanctx: {
            caller: req.caller,
            requestId: req.requestId,
            workspaceId: req.workspaceId,
            channelId: req.channelId,
            agentName: req.agentName,
          },
        },
      };
      const sessionId = req.request.headers.get('mcp-session-id');
      if (sessionId) {
        const session = sessions.get(sessionId);
        if (!session || session.tokenId !== req.caller.tokenId) {
          throw new AppError('not_found', 'unknown or expired MCP session; send a new initialize request', {
            hint: 'start a new session without the mcp-session-id header',
          });
        }
        session.lastUsed = deps.now();
        return session.transport.handleRequest(req.request, { parsedBody: req.body, authInfo });
      }
      if (req.request.method !== 'POST') {
        throw new AppError('invalid_request', `${req.request.method} /mcp needs an mcp-session-id header`);
      }
      const messages = Array.isArray(req.body) ? req.body : [req.body];
      if (!messages.some((m) => isInitializeRequest(m))) {
        throw new AppError(
          'invalid_request',
          'no mcp-session-id header and the body is not an initialize request; initialize a session first',
        );
      }
      const transport = await newSession(req.caller.tokenId);
      return transport.handleRequest(req.request, { parsedBody: req.body, authInfo });
    },
    sessionCount: () => sessions.size,
    async close() {
      clearInterval(sweep);
      const all = [...sessions.values()];
      sessions.clear();
      await Promise.all(all.map((s) => s.transport.close().catch(() => undefined)));
    },
  };
}
