import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';

interface PendingCode {
  clientId: string;
  challenge: string;
  redirectUri: string;
}

export interface OAuthTestServer {
  /** The protected MCP endpoint. */
  readonly mcpUrl: string;
  readonly issuer: string;
  /** Clients registered dynamically (RFC 7591). */
  readonly registered: string[];
  /** How many refresh_token grants were served. */
  refreshes(): number;
  /** Makes every issued access token invalid (forces a refresh). */
  expireAccessTokens(): void;
  close(): Promise<void>;
}

/**
 * A small but real OAuth 2.0 authorization server and protected MCP resource in one:
 * RFC 9728 resource metadata, RFC 8414 metadata, RFC 7591 registration, an /authorize that
 * approves at once (the "user" clicks yes), PKCE S256 checked at /token, refresh tokens.
 */
export async function startOAuthTestServer(): Promise<OAuthTestServer> {
  const app = new Hono();
  const clients = new Map<string, string[]>();
  const codes = new Map<string, PendingCode>();
  const access = new Set<string>();
  const refresh = new Set<string>();
  let refreshCount = 0;
  let base = '';
  const token = () => randomBytes(16).toString('hex');
  const issue = () => {
    const a = token();
    const r = token();
    access.add(a);
    refresh.add(r);
    return { access_token: a, refresh_token: r, token_type: 'Bearer', expires_in: 3600 };
  };

  app.get('/.well-known/oauth-protected-resource/mcp', (c) =>
    c.json({ resource: `${base}/mcp`, authorization_servers: [base] }),
  );
  app.get('/.well-known/oauth-authorization-server', (c) =>
    c.json({
      issuer: base,
      authorization_endpoint: `${base}/authorize`,
      token_endpoint: `${base}/token`,
      registration_endpoint: `${base}/register`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
    }),
  );
  app.post('/register', async (c) => {
    const body = (await c.req.json()) as { redirect_uris?: string[] };
    const id = `client-${token().slice(0, 8)}`;
    clients.set(id, body.redirect_uris ?? []);
    return c.json({ ...body, client_id: id, client_id_issued_at: Math.floor(Date.now() / 1000) }, 201);
  });
  app.get('/authorize', (c) => {
    const q = c.req.query();
    const uris = clients.get(q.client_id ?? '');
    if (!uris?.includes(q.redirect_uri ?? '') || q.code_challenge_method !== 'S256' || !q.code_challenge) {
      return c.text('bad authorization request', 400);
    }
    const code = token();
    codes.set(code, {
      clientId: q.client_id ?? '',
      challenge: q.code_challenge,
      redirectUri: q.redirect_uri ?? '',
    });
    const to = new URL(q.redirect_uri ?? '');
    to.searchParams.set('code', code);
    if (q.state) to.searchParams.set('state', q.state);
    return c.redirect(to.toString(), 302);
  });
  app.post('/token', async (c) => {
    const form = await c.req.parseBody();
    if (form.grant_type === 'authorization_code') {
      const pending = codes.get(String(form.code));
      codes.delete(String(form.code));
      const verifier = String(form.code_verifier ?? '');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!pending || pending.challenge !== challenge || pending.redirectUri !== form.redirect_uri) {
        return c.json({ error: 'invalid_grant' }, 400);
      }
      return c.json(issue());
    }
    if (form.grant_type === 'refresh_token' && refresh.delete(String(form.refresh_token))) {
      refreshCount++;
      return c.json(issue());
    }
    return c.json({ error: 'invalid_grant' }, 400);
  });
  app.all('/mcp', async (c) => {
    const auth = c.req.header('authorization') ?? '';
    if (!access.has(auth.replace(/^Bearer /, ''))) {
      return c.json({ error: 'unauthorized' }, 401, {
        'WWW-Authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"`,
      });
    }
    const server = new Server({ name: 'protected', version: '1' }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: [{ name: 'whoami', description: 'Says who you are.', inputSchema: { type: 'object' } }],
    }));
    server.setRequestHandler(CallToolRequestSchema, async () => ({
      content: [{ type: 'text', text: 'an authorized caller' }],
    }));
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    return transport.handleRequest(c.req.raw);
  });

  const { server, info } = await new Promise<{ server: ReturnType<typeof serve>; info: AddressInfo }>(
    (resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
        resolve({ server: s, info }),
      );
    },
  );
  base = `http://127.0.0.1:${info.port}`;
  return {
    mcpUrl: `${base}/mcp`,
    issuer: base,
    get registered() {
      return [...clients.keys()];
    },
    refreshes: () => refreshCount,
    expireAccessTokens: () => access.clear(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
      }),
  };
}
