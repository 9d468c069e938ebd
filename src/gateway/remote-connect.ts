import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConfig } from '../config/servers-config.ts';
import { createNodeFetch } from './node-fetch.ts';
import type { GatewayOAuthProvider } from './oauth/provider.ts';

/** OAuth for remote servers: a provider per server and the hand-off to the user. */
export interface RemoteAuth {
  providerFor(server: ServerConfig): GatewayOAuthProvider;
  /** Makes sure the callback server listens and returns the URL the user must open. */
  authorizationNeeded(server: ServerConfig, provider: GatewayOAuthProvider): Promise<string>;
}

export class AuthorizationRequiredError extends Error {
  constructor(
    readonly server: string,
    readonly authorizationUrl: string,
  ) {
    super(
      `server "${server}" needs authorization. Ask the user to open this URL in a browser and approve access:\n${authorizationUrl}\nThen retry the same call.`,
    );
    this.name = 'AuthorizationRequiredError';
  }
}

function describe(err: unknown): string {
  if (err instanceof StreamableHTTPError && err.code === 401) {
    return 'HTTP 401: the server wants credentials; set "headers": {"Authorization": "Bearer ..."} or add "oauth": {}';
  }
  return err instanceof Error ? err.message : String(err);
}

function isTimeout(err: unknown): boolean {
  return err instanceof McpError && err.code === ErrorCode.RequestTimeout;
}

/**
 * Streamable HTTP; without OAuth (whose discovery may need redirects) over the lean node:http
 * fetch, whose kept-alive sockets go when the transport closes.
 */
function streamableHttp(
  url: URL,
  requestInit: RequestInit,
  provider: GatewayOAuthProvider | undefined,
): StreamableHTTPClientTransport {
  if (provider) return new StreamableHTTPClientTransport(url, { requestInit, authProvider: provider });
  const lean = createNodeFetch();
  const transport = new StreamableHTTPClientTransport(url, { requestInit, fetch: lean.fetch });
  const close = transport.close.bind(transport);
  transport.close = async () => {
    try {
      await close();
    } finally {
      lean.close();
    }
  };
  return transport;
}

/** Connects over Streamable HTTP, falling back to the older HTTP+SSE transport. */
export async function connectRemote(
  makeClient: () => Client,
  server: ServerConfig,
  opts: { timeoutMs: number; auth: RemoteAuth | undefined; onTransport?: (transport: Transport) => void },
): Promise<{ client: Client; transport: Transport }> {
  const url = new URL(server.url ?? '');
  const provider = server.oauth && opts.auth ? opts.auth.providerFor(server) : undefined;
  const requestInit: RequestInit = { headers: { ...server.headers, ...server.oauth?.extraHeaders } };
  const attempt = async (transport: Transport) => {
    opts.onTransport?.(transport);
    const client = makeClient();
    try {
      await client.connect(transport, { timeout: opts.timeoutMs });
      return { client, transport };
    } catch (err) {
      await client.close().catch(() => {});
      if (err instanceof UnauthorizedError && provider && opts.auth) {
        throw new AuthorizationRequiredError(
          server.name,
          await opts.auth.authorizationNeeded(server, provider),
        );
      }
      throw err;
    }
  };
  // The user may be on the page of the URL already shown: a new authorization would replace
  // its state and verifier and make that page fail. Hand out the same URL until it is done.
  if (provider?.pending() && opts.auth) {
    throw new AuthorizationRequiredError(server.name, await opts.auth.authorizationNeeded(server, provider));
  }
  let first: unknown;
  try {
    return await attempt(streamableHttp(url, requestInit, provider));
  } catch (err) {
    if (err instanceof AuthorizationRequiredError) throw err;
    if (isTimeout(err)) throw new Error(`${url} did not finish initialize within ${opts.timeoutMs} ms`);
    first = err;
  }
  try {
    return await attempt(new SSEClientTransport(url, { requestInit, authProvider: provider }));
  } catch (err) {
    if (err instanceof AuthorizationRequiredError) throw err;
    throw new Error(
      `could not connect to ${url}: Streamable HTTP said "${describe(first)}", SSE said "${describe(err)}"`,
    );
  }
}
