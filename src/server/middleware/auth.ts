import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { readBearer } from '../../auth/bearer.ts';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { HttpEnv } from '../http-env.ts';

/** The peer address (X-Forwarded-For is not trusted); "unknown" without a socket. */
function clientAddress(c: Context<HttpEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function rateLimited(retryAfterSec: number, who: string): AppError {
  return new AppError('rate_limited', `rate limit reached for ${who}; retry in ${retryAfterSec} s`, {
    retryAfter: retryAfterSec,
  });
}

/**
 * Bearer check, then the token's own rate bucket. Failed attempts spend the client
 * address's bucket, so guessing tokens is throttled too.
 */
export function requireToken(deps: ServerDeps): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const bearer = readBearer(c.req.header('authorization'));
    const caller = bearer.ok ? deps.state.authenticate(bearer.token) : undefined;
    if (!caller) {
      const ip = clientAddress(c);
      const decision = await deps.limiter.take(`ip:${ip}`);
      if (!decision.ok) throw rateLimited(decision.retryAfterSec, `client ${ip}`);
      const why = bearer.ok
        ? 'unknown or revoked token; create one with `lean-ctx team token create`'
        : bearer.reason === 'missing'
          ? 'no Authorization header; send "Authorization: Bearer <token>"'
          : 'malformed Authorization header; use "Bearer <token>"';
      throw new AppError('unauthorized', why);
    }
    c.set('caller', caller);
    const decision = await deps.limiter.take(`token:${caller.tokenId}`);
    if (!decision.ok) throw rateLimited(decision.retryAfterSec, `token "${caller.tokenId}"`);
    await next();
  };
}
