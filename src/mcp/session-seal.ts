import { createHmac, timingSafeEqual } from 'node:crypto';

/** What any replica needs to serve an MCP session it did not open. */
export interface SealedSession {
  /** The token that opened it. */
  tokenId: string;
  /** A keyed digest of that token's SHA-256: the same id re-issued is another credential. */
  credential: string;
  /** The caching context of its reads: one per session, the same on every replica. */
  contextId: string;
  protocolVersion: string;
  /** The client's `clientInfo.name` (it names the agent when no x-leanctx-agent header does). */
  clientName: string;
  /** Epoch ms after which the id is refused. */
  expiresAt: number;
}

export type OpenedSession = { ok: true; session: SealedSession } | { ok: false; reason: string };

const VERSION = 'v1';
const b64 = (buf: Buffer | string) => Buffer.from(buf).toString('base64url');
const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

/** The credential field for a token's stored SHA-256 (the digest itself never leaves the server). */
export function credentialOf(secret: string, tokenSha256Hex: string): string {
  return mac(secret, `credential:${tokenSha256Hex}`).subarray(0, 12).toString('base64url');
}

/** `v1.<payload>.<HMAC-SHA256>`, all visible ASCII as the MCP spec asks of a session id. */
export function sealSession(secret: string, session: SealedSession): string {
  const payload = b64(
    JSON.stringify([
      session.tokenId,
      session.credential,
      session.contextId,
      session.protocolVersion,
      session.clientName,
      session.expiresAt,
    ]),
  );
  return `${VERSION}.${payload}.${b64(mac(secret, `${VERSION}.${payload}`))}`;
}

/** Checks the signature first, then the expiry; never trusts a field of an unsigned id. */
export function openSession(secret: string, id: string, now: number): OpenedSession {
  const parts = id.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION)
    return { ok: false, reason: 'is not a session id of this server' };
  const [, payload = '', signature = ''] = parts;
  const expected = mac(secret, `${VERSION}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      reason: 'has a signature this team does not make (forged, or sessionSecret changed)',
    };
  }
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'is not a session id of this server' };
  }
  if (!Array.isArray(fields) || fields.length !== 6)
    return { ok: false, reason: 'is not a session id of this server' };
  const [tokenId, credential, contextId, protocolVersion, clientName, expiresAt] = fields as [
    string,
    string,
    string,
    string,
    string,
    number,
  ];
  if (typeof expiresAt !== 'number' || expiresAt <= now) {
    return { ok: false, reason: `expired at ${new Date(expiresAt).toISOString()}` };
  }
  return { ok: true, session: { tokenId, credential, contextId, protocolVersion, clientName, expiresAt } };
}
