import type { z } from 'zod';
import type { Scope } from '../auth/scopes.ts';

export type RouteMethod = 'GET' | 'POST' | 'DELETE';

/**
 * One HTTP route as the OpenAPI document describes it. The schemas are the ones the handler
 * parses its input with and types its answer by, so the document cannot drift from the code.
 */
export interface RouteDoc {
  method: RouteMethod;
  /** OpenAPI form: `/v1/savings/member/{signer}`. */
  path: string;
  summary: string;
  /** `none`: no token; `token`: any valid token; a scope: a token holding it. */
  auth: 'none' | 'token' | Scope;
  /**
   * Part of the surface the original lean-ctx SDKs cover (their conformance kits fail on an
   * advertised route they lack), so listed in the default document; the rest with `?surface=all`.
   */
  sdk: boolean;
  query?: z.ZodObject;
  params?: z.ZodObject;
  body?: z.ZodType;
  /** The 200 answer: its media type and, for JSON, its schema. */
  response:
    | { type: 'application/json'; schema: z.ZodType }
    | { type: 'text/plain' | 'text/event-stream' | 'text/html' };
}

/** `{name}` → `:name`, the router's spelling of a path parameter. */
export function toRouterPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** `METHOD /path` in OpenAPI form, the key route lists and drift checks compare by. */
export const routeKey = (r: Pick<RouteDoc, 'method' | 'path'>): string => `${r.method} ${r.path}`;
