import { networkInterfaces, hostname as osHostname } from 'node:os';
import type { MiddlewareHandler } from 'hono';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { HttpEnv } from '../http-env.ts';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);

/** The host part of a Host header or an Origin URL, lowercased, without port or brackets. */
export function hostnameOf(value: string): string {
  let v = value.trim().toLowerCase();
  const scheme = v.indexOf('://');
  if (scheme >= 0) v = v.slice(scheme + 3);
  v = v.split('/')[0] ?? '';
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']'));
  const colon = v.lastIndexOf(':');
  return colon >= 0 && v.indexOf(':') === colon ? v.slice(0, colon) : v;
}

function machineNames(): Set<string> {
  const names = new Set<string>([osHostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces())) {
    for (const addr of list ?? []) names.add(addr.address.toLowerCase());
  }
  return names;
}

export function isAllowedHost(name: string, host: string, allowedHosts: readonly string[]): boolean {
  if (LOOPBACK.has(name) || name.startsWith('127.')) return true;
  if (name === hostnameOf(host) && !WILDCARD.has(name)) return true;
  if (allowedHosts.some((h) => hostnameOf(h) === name || h === '*')) return true;
  // Bound to every interface: the machine's own addresses are its configured host.
  return WILDCARD.has(host) && machineNames().has(name);
}

/**
 * DNS-rebinding protection: Host (and Origin, when sent) must be loopback, the bind host, or
 * listed in allowedHosts. CORS answers only origins in allowedHosts.
 */
export function hostCheck(deps: ServerDeps): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const cfg = deps.state.config();
    const origin = c.req.header('origin');
    if (!cfg.disableHostCheck) {
      const hostHeader = c.req.header('host') ?? '';
      const name = hostnameOf(hostHeader);
      if (!isAllowedHost(name, cfg.host, cfg.allowedHosts)) {
        throw new AppError(
          'host_not_allowed',
          `Host "${hostHeader}" is not allowed; add "${name}" to allowedHosts in team.json`,
          { host: hostHeader },
        );
      }
      if (origin && origin !== 'null' && !isAllowedHost(hostnameOf(origin), cfg.host, cfg.allowedHosts)) {
        throw new AppError(
          'host_not_allowed',
          `Origin "${origin}" is not allowed; add its host to allowedHosts`,
          {
            origin,
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
