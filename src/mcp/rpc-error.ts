import type { McpError } from '@modelcontextprotocol/sdk/types.js';

/**
 * A JSON-RPC error put on the wire as is: the SDK sends `code`, `message` and `data` of a
 * thrown error unchanged. (An McpError's message starts with "MCP error <code>: ", which the
 * receiving client then prefixes a second time.)
 */
export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

/** An error a client received, to pass on: without the prefix the SDK added to its message. */
export function fromMcpError(err: McpError): RpcError {
  const prefix = `MCP error ${err.code}: `;
  return new RpcError(
    err.code,
    err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message,
    err.data,
  );
}
