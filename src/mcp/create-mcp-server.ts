import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as McpTool,
  type ServerNotification,
  type ServerRequest,
} from '@modelcontextprotocol/sdk/types.js';
import { AppError } from '../errors.ts';
import type { ToolInfo } from '../tools/registry.ts';
import { RpcError } from './rpc-error.ts';

export type McpExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface McpServerOptions {
  name: string;
  version: string;
  instructions?: string;
  listTools(extra: McpExtra): readonly ToolInfo[] | Promise<readonly ToolInfo[]>;
  /** `client` is the session's clientInfo from initialize, when the client sent one. */
  callTool(
    name: string,
    args: Record<string, unknown> | undefined,
    extra: McpExtra,
    client: { name: string } | undefined,
  ): Promise<CallToolResult>;
}

export function toMcpTool(info: ToolInfo): McpTool {
  return {
    name: info.name,
    description: info.description,
    inputSchema: info.inputSchema as McpTool['inputSchema'],
    annotations: { readOnlyHint: info.readOnly },
  };
}

/** AppErrors become JSON-RPC errors with the same `error_code` in `data`. */
export function toMcpError(err: AppError): RpcError {
  return new RpcError(err.rpcCode, err.message, { error_code: err.code, ...err.details });
}

/**
 * A low-level MCP server over a tool list; the stdio server and the HTTP endpoint both
 * build theirs here, so they answer alike.
 */
export function createMcpServer(opts: McpServerOptions): Server {
  const server = new Server(
    { name: opts.name, version: opts.version },
    { capabilities: { tools: { listChanged: true } }, instructions: opts.instructions },
  );
  server.setRequestHandler(ListToolsRequestSchema, async (_req, extra) => ({
    tools: (await opts.listTools(extra)).map(toMcpTool),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (req, extra) => {
    try {
      return await opts.callTool(req.params.name, req.params.arguments, extra, server.getClientVersion());
    } catch (err) {
      if (err instanceof AppError) throw toMcpError(err);
      throw err;
    }
  });
  return server;
}
