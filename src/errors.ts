/**
 * The one table of error codes. Every non-2xx HTTP answer and every JSON-RPC error the
 * server sends carries one of these codes; the README's error table is checked against it.
 */
export const ERROR_CODES = {
  invalid_request: {
    status: 400,
    rpc: -32600,
    message: 'The request is not valid JSON of the expected shape.',
  },
  invalid_arguments: {
    status: 400,
    rpc: -32602,
    message: "The tool's arguments do not match its input schema.",
  },
  unknown_workspace: {
    status: 400,
    rpc: -32602,
    message: 'That workspace id is not configured on this server.',
  },
  unauthorized: { status: 401, rpc: -32001, message: 'A valid bearer token is required.' },
  scope_denied: { status: 403, rpc: -32003, message: 'The token lacks the scope this call needs.' },
  workspace_denied: { status: 403, rpc: -32003, message: 'The token may not use that workspace.' },
  command_denied: { status: 403, rpc: -32003, message: "The workspace's command rules refuse this command." },
  host_not_allowed: { status: 403, rpc: -32003, message: 'The Host or Origin header is not allowed.' },
  workflow_denied: {
    status: 403,
    rpc: -32003,
    message: "The context's active workflow state does not allow this tool.",
  },
  not_found: { status: 404, rpc: -32601, message: 'No such route.' },
  unknown_tool: { status: 404, rpc: -32602, message: 'No tool has that name.' },
  method_not_allowed: { status: 405, rpc: -32600, message: 'This method is not served here.' },
  read_timeout: {
    status: 408,
    rpc: -32600,
    message: 'The request headers and body did not arrive in time.',
  },
  payload_too_large: {
    status: 413,
    rpc: -32600,
    message: 'The request body is larger than the server accepts.',
  },
  headers_too_large: { status: 431, rpc: -32600, message: 'The request headers are too large.' },
  rate_limited: { status: 429, rpc: -32029, message: 'Too many requests for this token; retry later.' },
  budget_exhausted: { status: 429, rpc: -32029, message: 'The governance budget for this token is used up.' },
  too_many_sessions: {
    status: 429,
    rpc: -32029,
    message: 'The token has as many open MCP sessions or event streams as the server allows.',
  },
  overloaded: { status: 503, rpc: -32030, message: 'The server is at its concurrency limit; retry later.' },
  request_timeout: { status: 504, rpc: -32031, message: 'The request took longer than the server allows.' },
  store_unavailable: {
    status: 503,
    rpc: -32032,
    message: 'A shared store the server keeps its state in (PostgreSQL) is unavailable; retry shortly.',
  },
  internal_error: { status: 500, rpc: -32603, message: 'Internal server error.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A client or server fault with a stable code. Tool failures are results, not AppErrors. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  /** Set once an audit line was written for this refusal, so it is written only once. */
  audited: boolean;

  constructor(code: ErrorCode, message?: string, details: Record<string, unknown> = {}) {
    // Client faults are expected and frequent (a flood of 429s); a stack trace would be
    // costly and say nothing. internal_error keeps one for the log.
    const limit = Error.stackTraceLimit;
    if (code !== 'internal_error') Error.stackTraceLimit = 0;
    super(message ?? ERROR_CODES[code].message);
    Error.stackTraceLimit = limit;
    this.audited = false;
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get rpcCode(): number {
    return ERROR_CODES[this.code].rpc;
  }

  /** The JSON envelope every non-2xx answer carries. */
  toJSON(): Record<string, unknown> {
    return { error: this.message, error_code: this.code, ...this.details };
  }
}

/**
 * A tool that ran and failed (file not found, bad regex): it becomes a CallToolResult with
 * `isError: true`, never an HTTP error.
 */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolError';
  }
}
