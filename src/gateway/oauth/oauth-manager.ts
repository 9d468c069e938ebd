import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { ServerConfig } from '../../config/servers-config.ts';
import type { GatewayLogger } from '../logger.ts';
import type { RemoteAuth } from '../remote-connect.ts';
import { acquirePidLock, type PidLock } from './pid-lock.ts';
import { GatewayOAuthProvider } from './provider.ts';
import { TokenStore } from './token-store.ts';

interface CallbackListener {
  servers: Server[];
  lock: PidLock;
}

function page(title: string, text: string): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`;
}

/** Providers per server, and the localhost callback servers that finish authorizations. */
export class OAuthManager implements RemoteAuth {
  private readonly store: TokenStore;
  private readonly providers = new Map<string, GatewayOAuthProvider>();
  private readonly listeners = new Map<number, CallbackListener>();

  constructor(
    private readonly stateDir: string,
    private readonly logger: GatewayLogger,
  ) {
    this.store = new TokenStore(stateDir);
  }

  providerFor(server: ServerConfig): GatewayOAuthProvider {
    const key = TokenStore.key(server.name, server.url ?? '');
    let provider = this.providers.get(key);
    if (!provider || provider.server !== server) {
      provider = new GatewayOAuthProvider(server, this.store);
      this.providers.set(key, provider);
    }
    return provider;
  }

  async authorizationNeeded(server: ServerConfig, provider: GatewayOAuthProvider): Promise<string> {
    const pending = provider.pending();
    if (!pending)
      throw new Error(`server "${server.name}" refused our credentials and offered no authorization URL`);
    await this.listen(provider.callbackPort);
    this.logger.info('authorization required', { server: server.name, callbackPort: provider.callbackPort });
    return pending.url.toString();
  }

  private async listen(port: number): Promise<void> {
    if (this.listeners.has(port)) return;
    const lock = acquirePidLock(
      join(this.stateDir, `oauth-callback-${port}.lock`),
      `the OAuth callback port ${port}`,
    );
    const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
      void this.handleCallback(port, new URL(req.url ?? '/', `http://localhost:${port}`))
        .then(({ status, html }) => {
          res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
          // Stop listening only once the answer is out, or the browser would see a reset.
          res.once('close', () => this.maybeStop(port));
          res.end(html);
        })
        .catch((err: Error) => {
          this.logger.error('OAuth callback failed', { error: err.message });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('The authorization callback failed; retry the call to start over.');
        });
    };
    const servers: Server[] = [];
    for (const host of ['127.0.0.1', '::1']) {
      const server = createServer(handler);
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => resolve());
        });
        server.unref();
        server.on('error', (err) =>
          this.logger.error('OAuth callback server failed', { port, error: err.message }),
        );
        servers.push(server);
      } catch (err) {
        // ::1 is optional (no IPv6); 127.0.0.1 is not
        if (host === '127.0.0.1') {
          lock.release();
          for (const s of servers) s.close();
          throw new Error(
            `cannot listen on localhost:${port} for the OAuth callback (${(err as Error).message}); set "oauth.callbackPort" to a free port`,
          );
        }
      }
    }
    this.listeners.set(port, { servers, lock });
  }

  private async handleCallback(port: number, url: URL): Promise<{ status: number; html: string }> {
    if (url.pathname !== '/callback')
      return { status: 404, html: page('Not found', 'This server only answers /callback.') };
    const state = url.searchParams.get('state');
    const code = url.searchParams.get('code');
    const provider = [...this.providers.values()].find(
      (p) => p.callbackPort === port && p.pending()?.state === state,
    );
    if (!provider) {
      return {
        status: 400,
        html: page(
          'Unknown authorization',
          'No authorization with this state is waiting; retry the call so the agent gets a fresh URL.',
        ),
      };
    }
    if (!code) {
      const why =
        url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? 'no code was returned';
      provider.clearPending();
      return { status: 400, html: page('Authorization failed', `${why}. Retry the call to get a new URL.`) };
    }
    try {
      // The SDK's OAuth client loads with the first authorization, not at start-up.
      const { auth } = await import('@modelcontextprotocol/sdk/client/auth.js');
      await auth(provider, { serverUrl: provider.server.url ?? '', authorizationCode: code });
      provider.clearPending();
      this.logger.info('authorization complete', { server: provider.server.name });
      return {
        status: 200,
        html: page(
          'Authorized',
          `lazy-mcp may now use "${provider.server.name}". You can close this window; the agent can retry.`,
        ),
      };
    } catch (err) {
      provider.clearPending();
      this.logger.error('token exchange failed', {
        server: provider.server.name,
        error: (err as Error).message,
      });
      return {
        status: 502,
        html: page('Token exchange failed', `${(err as Error).message}. Retry the call to start over.`),
      };
    }
  }

  /** The callback server stays up only while some authorization is waiting. */
  private maybeStop(port: number): void {
    const waiting = [...this.providers.values()].some((p) => p.callbackPort === port && p.pending());
    if (!waiting) this.stopListener(port);
  }

  private stopListener(port: number): void {
    const listener = this.listeners.get(port);
    if (!listener) return;
    this.listeners.delete(port);
    for (const s of listener.servers) {
      s.close();
      s.closeAllConnections();
    }
    listener.lock.release();
  }

  close(): void {
    for (const port of [...this.listeners.keys()]) this.stopListener(port);
  }
}
