import type { MiddlewareHandler } from 'hono';
import { checkHost, hostnameOf } from '../../auth/host-check.ts';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { HttpEnv } from '../http-env.ts';

/**
 * DNS-rebinding protection: Host (and Origin, when sent) must be loopback, the bind host, or
 * listed in allowedHosts. CORS answers only origins in allowedHosts.
 */
export function hostCheck(deps: ServerDeps): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const cfg = deps.state.config();
    const origin = c.req.header('origin');
    if (!cfg.disableHostCheck) {
      const verdict = checkHost(c.req.header('host'), origin, {
        bindHost: cfg.host,
        allowedHosts: cfg.allowedHosts,
      });
      if (!verdict.ok && verdict.header === 'host') {
        throw new AppError(
          'host_not_allowed',
          `Host "${verdict.value}" is not allowed; add "${verdict.name}" to allowedHosts in team.json`,
          { host: verdict.value },
        );
      }
      if (!verdict.ok) {
        throw new AppError(
          'host_not_allowed',
          `Origin "${verdict.value}" is not allowed; add its host to allowedHosts`,
          {
            origin: verdict.value,
          },
        );
      }
    }
    const corsOk = origin && cfg.allowedHosts.some((h) => hostnameOf(h) === hostnameOf(origin));
    if (corsOk && c.req.method === 'OPTIONS') {
      return c.body(null, 204, {
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET, POST, DELETE, OPTIONS',
        'access-control-allow-headers':
          'authorization, content-type, mcp-session-id, mcp-protocol-version, last-event-id, x-leanctx-workspace, x-workspace, x-leanctx-channel, x-leanctx-context',
        'access-control-max-age': '600',
        vary: 'Origin',
      });
    }
    await next();
    if (corsOk) {
      c.res.headers.set('access-control-allow-origin', origin);
      c.res.headers.set('access-control-expose-headers', 'mcp-session-id, retry-after, x-request-id');
      c.res.headers.append('vary', 'Origin');
    }
  };
}
