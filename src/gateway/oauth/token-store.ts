import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OAuthClientInformationMixed, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';

export interface StoredTokens extends OAuthTokens {
  /** When the tokens were saved (ms since epoch). */
  saved_at?: number;
}

/**
 * tokens.json and client-info.json in lazy-mcp's directory, both 0600, keyed by server name
 * and URL (a changed URL starts over). Read on every access so two processes stay in step.
 */
export class TokenStore {
  readonly tokensPath: string;
  readonly clientsPath: string;

  constructor(dir: string) {
    this.tokensPath = join(dir, 'tokens.json');
    this.clientsPath = join(dir, 'client-info.json');
  }

  static key(name: string, url: string): string {
    return `${name} ${url}`;
  }

  tokens(key: string): StoredTokens | undefined {
    return this.read<StoredTokens>(this.tokensPath)[key];
  }

  saveTokens(key: string, tokens: OAuthTokens | undefined): void {
    this.update<StoredTokens>(this.tokensPath, key, tokens && { ...tokens, saved_at: Date.now() });
  }

  client(key: string): OAuthClientInformationMixed | undefined {
    return this.read<OAuthClientInformationMixed>(this.clientsPath)[key];
  }

  saveClient(key: string, info: OAuthClientInformationMixed | undefined): void {
    this.update(this.clientsPath, key, info);
  }

  private read<T>(path: string): Record<string, T> {
    try {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, T>)
        : {};
    } catch {
      return {};
    }
  }

  private update<T>(path: string, key: string, value: T | undefined): void {
    const all = this.read<T>(path);
    if (value === undefined) delete all[key];
    else all[key] = value;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  }
}
