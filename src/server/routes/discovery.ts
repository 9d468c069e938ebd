import { Hono } from 'hono';
import type { z } from 'zod';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { callableTools } from '../../pipeline/invoke.ts';
import type { Caller } from '../../pipeline/team-state.ts';
import { type capabilities, openapiQuery } from '../api-schemas.ts';
import type { HttpEnv } from '../http-env.ts';
import { type ApiSurface, buildOpenApi } from '../openapi.ts';
import { parseQuery } from '../parse-input.ts';
import { toRouterPath } from '../route-doc.ts';
import { ROUTES } from '../route-table.ts';
import { MANIFEST_READ_MODES } from './tools.ts';

/** The capabilities contract (v1) of the original lean-ctx: what this server is and does. */
function capabilitiesOf(deps: ServerDeps, caller: Caller): z.output<typeof capabilities> {
  const cfg = deps.state.config();
  const names = callableTools(deps, caller, deps.registry.all()).map((t) => t.name);
  return {
    contract_version: 1,
    server: { name: 'leanctx', version: deps.version, persona: 'coding' },
    plane: 'team',
    transports: ['http-mcp', 'rest', 'sse'],
    presets: ['coding'],
    read_modes: { count: MANIFEST_READ_MODES.length, modes: [...MANIFEST_READ_MODES] },
    tools: { total: names.length, names },
    features: {
      compression: true,
      caching: true,
      knowledge: true,
      session: true,
      savings_ledger: true,
      ast_compression: true,
      semantic_search: deps.registry.get('ctx_semantic_search') !== undefined,
      audit_trail: cfg.auditLogPath !== undefined,
      gateway: deps.gateway !== undefined,
      http_server: true,
      team_server: true,
      gateway_server: deps.gateway !== undefined,
      cloud_server: false,
    },
    extensions: {
      plugins: [],
      tools: [],
      read_modes: [...MANIFEST_READ_MODES],
      compressors: [],
      chunkers: [],
    },
    contracts: {
      'leanctx.contract.http_mcp.contract_version': 1,
      'leanctx.contract.capabilities.contract_version': 1,
    },
    contract_status: { 'http-mcp': 'stable', capabilities: 'stable' },
  };
}

/**
 * `/v1/capabilities` and `/v1/openapi.json`: what the SDKs' conformance kits discover the
 * server by. `appRoutes` are the whole app's routes, read once all are registered.
 */
export function discoveryRoutes(
  deps: ServerDeps,
  appRoutes: () => readonly { method: string; path: string }[],
): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const documents = new Map<ApiSurface, Record<string, unknown>>();

  app.get('/capabilities', (c) => c.json(capabilitiesOf(deps, c.get('caller'))));

  app.get('/openapi.json', (c) => {
    const { surface } = parseQuery(openapiQuery, c.req.query());
    let doc = documents.get(surface);
    if (!doc) {
      const live = new Set(appRoutes().map((r) => `${r.method} ${r.path}`));
      const routes = ROUTES.filter((r) => live.has(`${r.method} ${toRouterPath(r.path)}`));
      doc = buildOpenApi(routes, { version: deps.version, surface });
      documents.set(surface, doc);
    }
    return c.json(doc);
  });

  return app;
}
