import { hexDigestsEqual, sha256Hex } from './tokens.ts';

export type BearerHeader = { ok: true; token: string } | { ok: false; reason: 'missing' | 'malformed' };

// RFC 7235: the scheme is case-insensitive; the credentials are one run of visible ASCII.
const BEARER = /^bearer[ \t]+([\x21-\x7e]+)[ \t]*$/i;

/** Reads an Authorization header as `Bearer <token>`; the team server and lazy-mcp both use this. */
export function readBearer(header: string | undefined | null): BearerHeader {
  if (!header) return { ok: false, reason: 'missing' };
  const token = BEARER.exec(header)?.[1];
  return token ? { ok: true, token } : { ok: false, reason: 'malformed' };
}

/** The token of a well-formed Bearer header, else undefined. */
export function parseBearer(header: string | undefined | null): string | undefined {
  const read = readBearer(header);
  return read.ok ? read.token : undefined;
}

/**
 * Constant-time comparison of a presented secret with the expected one: both are hashed
 * first, so neither the content nor the length of the expected secret shows in the timing.
 */
export function secretMatches(presented: string, expected: string): boolean {
  return hexDigestsEqual(sha256Hex(presented), sha256Hex(expected));
}
