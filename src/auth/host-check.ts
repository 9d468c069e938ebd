import { networkInterfaces, hostname as osHostname } from 'node:os';

/** Which Host and Origin headers a server answers (DNS-rebinding protection). */
export interface HostPolicy {
  /** The address the server listens on. */
  bindHost: string;
  /** Names accepted besides loopback and the bind host; `*` accepts any. */
  allowedHosts: readonly string[];
  /**
   * Exact origins accepted (lazy-mcp's `allowedOrigins`); an empty list means same-origin
   * only. Undefined: an Origin passes when its host passes the Host rule (the team server).
   */
  allowedOrigins?: readonly string[];
}

export type HostVerdict =
  | { ok: true }
  | { ok: false; header: 'host' | 'origin'; value: string; name: string };

const WILDCARD = new Set(['0.0.0.0', '::']);
const LOOPBACK_V4 = /^127\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){2}$/;

/** The host part of a Host header or an Origin URL: lowercased, without port, brackets or trailing dot. */
export function hostnameOf(value: string): string {
  let v = value.trim().toLowerCase();
  const scheme = v.indexOf('://');
  if (scheme >= 0) v = v.slice(scheme + 3);
  v = v.split('/')[0] ?? '';
  if (v.startsWith('[')) return v.slice(1, v.indexOf(']'));
  const colon = v.lastIndexOf(':');
  if (colon >= 0 && v.indexOf(':') === colon) v = v.slice(0, colon);
  return v.endsWith('.') ? v.slice(0, -1) : v;
}

/** localhost, 127.0.0.0/8 written as a dotted quad, or ::1 — never a name that only starts with "127.". */
export function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || LOOPBACK_V4.test(name);
}

function machineNames(): Set<string> {
  const names = new Set<string>([osHostname().toLowerCase()]);
  for (const list of Object.values(networkInterfaces())) {
    for (const addr of list ?? []) names.add(addr.address.toLowerCase());
  }
  return names;
}

/** Loopback, the bind host, an `allowedHosts` entry, or (bound to every interface) one of this machine's names. */
export function isAllowedHost(name: string, policy: HostPolicy): boolean {
  if (name === '') return false;
  if (isLoopbackName(name)) return true;
  const bind = hostnameOf(policy.bindHost);
  if (name === bind && !WILDCARD.has(bind)) return true;
  if (policy.allowedHosts.some((h) => h === '*' || hostnameOf(h) === name)) return true;
  return WILDCARD.has(bind) && machineNames().has(name);
}

function originAllowed(origin: string, host: string, policy: HostPolicy): boolean {
  if (policy.allowedOrigins === undefined) return isAllowedHost(hostnameOf(origin), policy);
  if (policy.allowedOrigins.includes(origin)) return true;
  return policy.allowedOrigins.length === 0 && origin === `http://${host}`;
}

/** The one Host/Origin check of the team server and lazy-mcp. `X-Forwarded-*` is never consulted. */
export function checkHost(
  host: string | undefined,
  origin: string | undefined,
  policy: HostPolicy,
): HostVerdict {
  const hostValue = host ?? '';
  const name = hostnameOf(hostValue);
  if (!isAllowedHost(name, policy)) return { ok: false, header: 'host', value: hostValue, name };
  if (origin !== undefined && !originAllowed(origin, hostValue, policy)) {
    return { ok: false, header: 'origin', value: origin, name: hostnameOf(origin) };
  }
  return { ok: true };
}
