import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { HttpEnv } from '../http-env.ts';

/**
 * Refuses bodies over maxBodyBytes by Content-Length, or while streaming when there is
 * none, so an oversized upload is never buffered whole.
 */
function tooLarge(maxSize: number): never {
  throw new AppError('payload_too_large', `request body is over the ${maxSize}-byte limit (maxBodyBytes)`, {
    limit: maxSize,
  });
}

export function limitBody(deps: ServerDeps): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST' && c.req.method !== 'PUT') return next();
    const maxSize = deps.state.config().maxBodyBytes;
    // Decided by the header alone, as hono's bodyLimit would: asking it first would make
    // @hono/node-server build a web Request and stream for every body (most of a small call).
    const contentLength = c.req.header('content-length');
    if (contentLength !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(contentLength, 10) > maxSize ? tooLarge(maxSize) : next();
    }
    return bodyLimit({ maxSize, onError: () => tooLarge(maxSize) })(c, next);
  };
}
