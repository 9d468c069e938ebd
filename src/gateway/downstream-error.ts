/** A downstream failure the agent should read: what broke and what to do about it. */
export class DownstreamError extends Error {
  /** An authorization URL the user must open (OAuth), when that is the problem. */
  readonly authorizationUrl: string | undefined;
  /** The JSON-RPC error the server answered with, when it answered with one. */
  readonly rpc: { code: number; message: string; data?: unknown } | undefined;

  constructor(
    message: string,
    opts: { authorizationUrl?: string; rpc?: { code: number; message: string; data?: unknown } } = {},
  ) {
    super(message);
    this.name = 'DownstreamError';
    this.authorizationUrl = opts.authorizationUrl;
    this.rpc = opts.rpc;
  }
}
