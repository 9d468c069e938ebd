import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const TOKEN_PREFIX = 'lctx_t_';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new bearer token: `lctx_t_<id>_<32 random bytes, base64url>`. Only its hash is stored. */
export function createTokenSecret(id: string): string {
  return `${TOKEN_PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
}

/** Constant-time comparison of two hex digests of equal length. */
export function hexDigestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}
