import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { readBearer } from '../../auth/bearer.ts';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { Caller } from '../../pipeline/team-state.ts';
import type { HttpEnv } from '../http-env.ts';

/** The peer address (X-Forwarded-For is not trusted); "unknown" without a socket. */
function clientAddress(c: Context<HttpEnv>): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function rateLimited(retryAfterSec: number, who: string): AppError {
  return new AppError('rate_limited', `rate limit reached for ${who}; retry in ${retryAfterSec} s`, {
    retryAfter: retryAfterSec,
  });
}

/** Spends one token of the caller's own rate bucket, or refuses with rate_limited. */
export async function chargeToken(deps: ServerDeps, caller: Caller): Promise<void> {
  const decision = await deps.limiter.take(`token:${caller.tokenId}`);
  if (!decision.ok) throw rateLimited(decision.retryAfterSec, `token "${caller.tokenId}"`);
}

/**
 * Bearer check, then the token's own rate bucket. Failed attempts spend the client
 * address's bucket, so guessing tokens is throttled too. A request `chargedByRoute` spends
 * the token's bucket in its route instead (a tool call, in the one round trip of its admission).
 */
export function requireToken(
  deps: ServerDeps,
  chargedByRoute: (c: Context<HttpEnv>) => boolean = () => false,
): MiddlewareHandler<HttpEnv> {
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
    if (!chargedByRoute(c)) await chargeToken(deps, caller);
    await next();
  };
}
