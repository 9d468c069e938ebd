import { randomBytes } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ServerConfig } from '../../config/servers-config.ts';
import { TokenStore } from './token-store.ts';

/** How long an authorization URL handed to the user stays the one every call returns. */
const PENDING_AUTHORIZATION_MS = 10 * 60_000;

/**
 * The SDK drives discovery (RFC 9728, RFC 8414), registration (RFC 7591), PKCE and refresh;
 * this provider persists what it learns and, instead of opening a browser, keeps the
 * authorization URL for the agent to show the user.
 */
export class GatewayOAuthProvider implements OAuthClientProvider {
  readonly key: string;
  private verifier: string | undefined;
  private pendingUrl: URL | undefined;
  private pendingState: string | undefined;
  private pendingSince = 0;

  constructor(
    readonly server: ServerConfig,
    private readonly store: TokenStore,
  ) {
    this.key = TokenStore.key(server.name, server.url ?? '');
  }

  get callbackPort(): number {
    return this.server.oauth?.callbackPort ?? 8947;
  }

  get redirectUrl(): string {
    return `http://localhost:${this.callbackPort}/callback`;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: `lazy-mcp (${this.server.name})`,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: this.server.oauth?.clientSecret ? 'client_secret_post' : 'none',
      ...(this.server.oauth?.scope ? { scope: this.server.oauth.scope } : {}),
    };
  }

  state(): string {
    this.pendingState = randomBytes(16).toString('base64url');
    return this.pendingState;
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    const oauth = this.server.oauth;
    if (oauth?.clientId) {
      return {
        client_id: oauth.clientId,
        ...(oauth.clientSecret ? { client_secret: oauth.clientSecret } : {}),
      };
    }
    return this.store.client(this.key);
  }

  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.store.saveClient(this.key, info);
  }

  tokens(): OAuthTokens | undefined {
    const stored = this.store.tokens(this.key);
    if (!stored) return undefined;
    const { saved_at: _saved, ...tokens } = stored;
    return tokens;
  }

  saveTokens(tokens: OAuthTokens): void {
    this.store.saveTokens(this.key, tokens);
  }

  redirectToAuthorization(url: URL): void {
    this.pendingUrl = url;
    this.pendingSince = Date.now();
  }

  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }

  codeVerifier(): string {
    if (!this.verifier)
      throw new Error('no authorization is in progress for this server; retry the call first');
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'all' || scope === 'tokens') this.store.saveTokens(this.key, undefined);
    if ((scope === 'all' || scope === 'client') && !this.server.oauth?.clientId)
      this.store.saveClient(this.key, undefined);
    if (scope === 'all' || scope === 'verifier') this.verifier = undefined;
  }

  /**
   * The URL and state of the authorization the user has yet to complete; one left unfinished
   * for PENDING_AUTHORIZATION_MS is dropped, so the next call starts afresh.
   */
  pending(): { url: URL; state: string | undefined } | undefined {
    if (this.pendingUrl && Date.now() - this.pendingSince > PENDING_AUTHORIZATION_MS) this.clearPending();
    return this.pendingUrl && { url: this.pendingUrl, state: this.pendingState };
  }

  clearPending(): void {
    this.pendingUrl = undefined;
    this.pendingState = undefined;
  }
}
