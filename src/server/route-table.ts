import { z } from 'zod';
import * as s from './api-schemas.ts';
import type { RouteDoc, RouteMethod } from './route-doc.ts';

const json = (schema: z.ZodType) => ({ type: 'application/json', schema }) as const;

const mcpRoutes = (path: string, sdk: boolean, note: string): RouteDoc[] =>
  (['POST', 'GET', 'DELETE'] as RouteMethod[]).map((method) => ({
    method,
    path,
    summary: `MCP Streamable HTTP (${method === 'POST' ? 'JSON-RPC requests' : method === 'GET' ? "a session's server-sent stream" : 'ends a session'})${note}`,
    auth: 'token',
    sdk,
    ...(method === 'POST' ? { body: s.jsonRpcMessage } : {}),
    response: method === 'GET' ? { type: 'text/event-stream' } : json(z.unknown()),
  }));

/**
 * Every HTTP route the team server registers. The OpenAPI document is generated from this
 * table, and a test holds it equal to the routes the app actually serves.
 */
export const ROUTES: readonly RouteDoc[] = [
  {
    method: 'GET',
    path: '/health',
    summary: 'Liveness: `ok` as text/plain, no auth, no rate limit',
    auth: 'none',
    sdk: true,
    response: { type: 'text/plain' },
  },
  {
    method: 'GET',
    path: '/healthz',
    summary: 'Liveness with version and uptime (JSON)',
    auth: 'none',
    sdk: false,
    response: json(s.healthz),
  },
  {
    method: 'GET',
    path: '/v1/manifest',
    summary: 'Server, workspaces and the tools this token may call',
    auth: 'token',
    sdk: true,
    response: json(s.manifest),
  },
  {
    method: 'GET',
    path: '/v1/capabilities',
    summary: 'Capabilities discovery document (capabilities contract v1)',
    auth: 'token',
    sdk: true,
    response: json(s.capabilities),
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    auth: 'token',
    sdk: true,
    query: s.openapiQuery,
    response: json(s.openapiDocument),
  },
  {
    method: 'GET',
    path: '/v1/tools',
    summary: 'Paged list of the tools this token may call',
    auth: 'token',
    sdk: true,
    query: s.toolsQuery,
    response: json(s.toolsPage),
  },
  {
    method: 'POST',
    path: '/v1/tools/call',
    summary: 'Calls one tool; a tool that ran and failed is 200 with result.isError',
    auth: 'token',
    sdk: true,
    body: s.toolCallBody,
    response: json(s.toolCallAnswer),
  },
  {
    method: 'GET',
    path: '/v1/events',
    summary: 'Server-sent events of a channel: replay after `since`, then live',
    auth: 'events',
    sdk: true,
    query: s.eventsQuery,
    response: { type: 'text/event-stream' },
  },
  {
    method: 'GET',
    path: '/v1/context/summary',
    summary: 'Summary of a channel: agents, recent decisions, knowledge writes, event counts',
    auth: 'token',
    sdk: true,
    query: s.contextSummaryQuery,
    response: json(s.contextSummary),
  },
  {
    method: 'GET',
    path: '/v1/metrics',
    summary: 'Metrics as JSON; `?format=prometheus` or `Accept: text/plain` gives Prometheus text',
    auth: 'audit',
    sdk: true,
    query: s.metricsQuery,
    response: json(z.record(z.string(), z.unknown())),
  },
  {
    method: 'GET',
    path: '/v1/audit',
    summary: 'Recent audit log entries',
    auth: 'audit',
    sdk: false,
    query: s.auditQuery,
    response: json(s.auditAnswer),
  },
  {
    method: 'GET',
    path: '/v1/sessions',
    summary: "The workspace's channels: revision, agents, last activity",
    auth: 'token',
    sdk: false,
    query: s.sessionsQuery,
    response: json(s.sessionsAnswer),
  },
  {
    method: 'GET',
    path: '/v1/savings/summary',
    summary: 'Tokens saved across the team: totals, per agent, per tool, a 90-day daily series',
    auth: 'audit',
    sdk: false,
    response: json(s.savingsSummary),
  },
  {
    method: 'GET',
    path: '/v1/savings/member/{signer}',
    summary: "One agent's savings: totals, per tool, a 90-day daily series",
    auth: 'audit',
    sdk: false,
    params: s.memberParams,
    response: json(s.memberSavings),
  },
  {
    method: 'GET',
    path: '/v1/storage',
    summary: 'Bytes the server keeps on disk (data dir, audit log)',
    auth: 'audit',
    sdk: false,
    response: json(s.storageReport),
  },
  {
    method: 'GET',
    path: '/v1/usage',
    summary: 'Savings, tool calls and storage in one report',
    auth: 'audit',
    sdk: false,
    response: json(s.usageReport),
  },
  ...mcpRoutes('/mcp', false, ''),
  ...mcpRoutes('/', false, ' on the original lean-ctx fallback path; same as /mcp'),
];
