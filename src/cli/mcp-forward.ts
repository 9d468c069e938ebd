import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { DEFAULT_REQUEST_TIMEOUT_MSEC } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  InitializeRequestSchema,
  ListToolsRequestSchema,
  McpError,
} from '@modelcontextprotocol/sdk/types.js';
import type { TeamClientConfig } from '../config/client-config.ts';
import { type ErrorCode as AppErrorCode, ERROR_CODES } from '../errors.ts';
import { fromMcpError, RpcError } from '../mcp/rpc-error.ts';
import { VERSION } from '../version.ts';
import type { CliIo } from './cli-error.ts';

/** How long `lean-ctx mcp` waits for the team server's handshake before giving up. */
const TEAM_CONNECT_TIMEOUT_MS = 10_000;

/** The team server's JSON envelope inside an SDK HTTP error message, when there is one. */
function envelopeOf(message: string): { error?: string; error_code?: string } {
  const start = message.indexOf('{');
  if (start < 0) return {};
  try {
    return JSON.parse(message.slice(start)) as { error?: string; error_code?: string };
  } catch {
    return {};
  }
}

/** The errno or undici code (ECONNREFUSED …) behind a failed fetch, through `cause` chains. */
function networkCodeOf(err: unknown): string | undefined {
  for (
    let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined, i = 0;
    e && i < 5;
    i++
  ) {
    if (typeof e.code === 'string' && /^(E[A-Z_]+|UND_ERR_[A-Z_]+)$/.test(e.code)) return e.code;
    e = (e.cause ?? e.errors?.[0]) as typeof e;
  }
  return undefined;
}

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: 'nothing listens there; is the team server running?',
  ENOTFOUND: 'no such host; check the server name',
  EAI_AGAIN: 'the name did not resolve; check the network',
  ETIMEDOUT: 'the connection timed out',
  ECONNRESET: 'the connection was reset',
  UND_ERR_SOCKET: 'the connection was closed',
};

/**
 * Why the team server could not be used, said so a developer can mend it: a refused
 * token, an unreachable address, a server that did not answer in time.
 */
function describeTeamFailure(server: string, err: unknown, timeoutMs: number): RpcError {
  const data = { server };
  if (err instanceof StreamableHTTPError) {
    const status = err.code ?? 0;
    const envelope = envelopeOf(err.message);
    const code = envelope.error_code as AppErrorCode | undefined;
    const said = envelope.error ? `: ${envelope.error}` : '';
    const rpc = code && code in ERROR_CODES ? ERROR_CODES[code].rpc : ErrorCode.InternalError;
    const withCode = { ...data, status, ...(code ? { error_code: code } : {}) };
    if (status === 401) {
      return new RpcError(
        ERROR_CODES.unauthorized.rpc,
        `token refused by ${server} (401${said}); set LEANCTX_TEAM_TOKEN or [team] token to a valid token`,
        withCode,
      );
    }
    return new RpcError(rpc, `${server} answered ${status}${code ? ` ${code}` : ''}${said}`, withCode);
  }
  if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) {
    return new RpcError(
      ErrorCode.ConnectionClosed,
      `no answer from ${server} within ${timeoutMs / 1000} s; is the team server up?`,
      data,
    );
  }
  const net = networkCodeOf(err);
  if (net) {
    return new RpcError(
      ErrorCode.ConnectionClosed,
      `cannot reach ${server} (${net}: ${NETWORK_HINTS[net] ?? 'a network error'})`,
      { ...data, cause: net },
    );
  }
  return new RpcError(
    ErrorCode.ConnectionClosed,
    `cannot use ${server}: ${err instanceof Error ? err.message : String(err)}`,
    data,
  );
}

/** A JSON-RPC error the team server itself answered (unknown tool, bad arguments …). */
function teamAnswer(err: unknown): RpcError | undefined {
  if (!(err instanceof McpError)) return undefined;
  if (err.code === ErrorCode.RequestTimeout || err.code === ErrorCode.ConnectionClosed) return undefined;
  return fromMcpError(err);
}

/**
 * The stdio server of forward mode: a plain relay to the team server's /mcp. When the team
 * server cannot be used, the client's `initialize` (and any later request) is answered with
 * an error naming the server and what failed, and stderr gets one line — no stack, and no
 * bare "Connection closed" for the agent.
 */
export async function createTeamRelay(
  team: TeamClientConfig,
  io: CliIo,
): Promise<{ server: Server; close(): Promise<void> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${team.token}` };
  if (team.workspace) headers['x-leanctx-workspace'] = team.workspace;
  const client = new Client({ name: 'lean-ctx-mcp', version: VERSION });
  const report = (err: RpcError) => {
    io.err(`lean-ctx mcp: ${err.message}\n`);
    return err;
  };
  const relayFailure = (err: unknown): never => {
    throw teamAnswer(err) ?? report(describeTeamFailure(team.server, err, DEFAULT_REQUEST_TIMEOUT_MSEC));
  };
  try {
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${team.server}/mcp`), { requestInit: { headers } }),
      { timeout: TEAM_CONNECT_TIMEOUT_MS },
    );
  } catch (err) {
    await client.close().catch(() => {});
    return {
      server: createRefusingServer(report(describeTeamFailure(team.server, err, TEAM_CONNECT_TIMEOUT_MS))),
      close: async () => {},
    };
  }
  // Listings and results pass through exactly as the team server sends them.
  const server = new Server({ name: 'leanctx', version: VERSION }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, (req) => client.listTools(req.params).catch(relayFailure));
  server.setRequestHandler(CallToolRequestSchema, (req, extra) =>
    client.callTool(req.params, undefined, { signal: extra.signal }).catch(relayFailure),
  );
  return { server, close: () => client.close() };
}

/** A stdio server that answers every request, `initialize` first, with `failure`. */
export function createRefusingServer(failure: RpcError): Server {
  const server = new Server({ name: 'leanctx', version: VERSION }, { capabilities: { tools: {} } });
  const refuse = () => {
    throw failure;
  };
  server.setRequestHandler(InitializeRequestSchema, refuse);
  server.setRequestHandler(ListToolsRequestSchema, refuse);
  server.setRequestHandler(CallToolRequestSchema, refuse);
  return server;
}
