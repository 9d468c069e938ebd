import { randomUUID } from 'node:crypto';
import { type Context, Hono } from 'hono';
import { endpointMethod } from '../audit/endpoint-audit.ts';
import { AppError } from '../errors.ts';
import type { McpEndpoint } from '../mcp/http-endpoint.ts';
import type { ServerDeps } from '../pipeline/deps.ts';
import type { Caller } from '../pipeline/team-state.ts';
import { checkDependencies, HEALTH_BODY, HEALTH_CONTENT_TYPE } from './health.ts';
import type { HttpEnv } from './http-env.ts';
import { requireToken } from './middleware/auth.ts';
import { limitBody } from './middleware/body-limit.ts';
import { hostCheck } from './middleware/host-check.ts';
import { agentFrom, channelFrom, workspaceFrom } from './request-scope.ts';
import { discoveryRoutes } from './routes/discovery.ts';
import { economicsRoutes } from './routes/economics.ts';
import { eventRoutes } from './routes/events.ts';
import { observatoryApiRoutes, observatoryPageRoutes } from './routes/observatory.ts';
import { observeRoutes } from './routes/observe.ts';
import { reportRoutes } from './routes/reports.ts';
import { toolRoutes } from './routes/tools.ts';

function formatUptime(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600)}h`;
}

/** The route label for metrics: the matched pattern, never the raw path (unbounded labels). */
function routeOf(c: Context<HttpEnv>): string {
  return c.req.routePath === '/*' ? 'unmatched' : c.req.routePath;
}

/** The audit line of a refusal outside a tool call; a failing audit file must not hide the answer. */
function writeRefusal(deps: ServerDeps, c: Context<HttpEnv>, err: AppError): void {
  const caller = c.get('caller') as Caller | undefined;
  try {
    deps.audit.write({
      ts: new Date(deps.now()).toISOString(),
      requestId: c.get('requestId'),
      tokenId: caller?.tokenId ?? null,
      workspaceId: null,
      channelId: null,
      tool: null,
      method: endpointMethod(c.req.method, c.req.path),
      allowed: false,
      deniedReason: err.code,
      argumentsMd5: '',
      status: err.status,
      durationMs: 0,
    });
  } catch (auditErr) {
    deps.logger.error('audit write failed', { requestId: c.get('requestId'), error: String(auditErr) });
  }
}

/** POST /v1/tools/call: its route spends the token's rate bucket (see toolRoutes). */
const isToolCall = (c: Context<HttpEnv>) => c.req.method === 'POST' && c.req.path === '/v1/tools/call';

/**
 * The team server's HTTP surface. No listen here: tests call `app.fetch` or serve it on
 * 127.0.0.1:0 through listen.ts.
 */
export function createApp(deps: ServerDeps, mcp: McpEndpoint): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  // Liveness answers before any middleware: no auth, no rate limit, no metrics, no Host check.
  app.get('/health', (c) => c.body(HEALTH_BODY, 200, { 'content-type': HEALTH_CONTENT_TYPE }));
  // Readiness: each dependency (PostgreSQL, Redis) checked; one failing is a 503 naming it.
  app.get('/healthz', async (c) => {
    const dependencies = await checkDependencies(deps.dependencies ?? {});
    const body = { version: deps.version, uptime: formatUptime(deps.now() - deps.startedAt), dependencies };
    const failing = Object.entries(dependencies).filter(([, d]) => !d.ok);
    if (failing.length === 0) return c.json({ status: 'ok', ...body });
    const error = `unavailable: ${failing.map(([name, d]) => `${name} (${d.error})`).join('; ')}`;
    return c.json({ error, error_code: 'store_unavailable', status: 'degraded', ...body }, 503);
  });

  app.use(async (c, next) => {
    const started = performance.now();
    const requestId = randomUUID();
    c.set('requestId', requestId);
    // On the node response the header costs nothing; `c.res.headers` would build a Headers object.
    const outgoing = c.env?.outgoing;
    outgoing?.setHeader('x-request-id', requestId);
    await next();
    if (!outgoing) c.res.headers.set('x-request-id', requestId);
    const route = routeOf(c);
    deps.metrics.httpRequests.inc({ route, status: String(c.res.status) });
    const seconds = (performance.now() - started) / 1000;
    deps.metrics.httpDuration.observe({ route }, seconds);
    if (c.req.path.startsWith('/v1/')) deps.metrics.slo.record(seconds * 1000, c.res.status < 500);
  });

  app.use(hostCheck(deps));
  app.use('/v1/*', requireToken(deps, isToolCall), limitBody(deps));
  app.use('/mcp', requireToken(deps), limitBody(deps));
  // The original served MCP on any path it had no route for; its clients may post to `/`.
  app.use('/', requireToken(deps), limitBody(deps));

  app.route('/v1', toolRoutes(deps));
  app.route('/v1', eventRoutes(deps));
  app.route('/v1', observeRoutes(deps));
  app.route(
    '/v1',
    discoveryRoutes(deps, () => app.routes),
  );
  app.route('/v1', reportRoutes(deps));
  app.route('/v1', economicsRoutes(deps));
  app.route('/v1', observatoryApiRoutes(deps));
  app.route('/', observatoryPageRoutes());

  const mcpRoute = async (c: Context<HttpEnv>) => {
    let body: unknown;
    if (c.req.method === 'POST') {
      try {
        body = await c.req.json();
      } catch (err) {
        if (err instanceof AppError) throw err;
        throw new AppError('invalid_request', 'the MCP request body is not valid JSON-RPC JSON');
      }
    }
    return mcp.handle({
      request: c.req.raw,
      body,
      caller: c.get('caller'),
      requestId: c.get('requestId'),
      workspaceId: workspaceFrom(c),
      channelId: channelFrom(c),
      contextId: c.req.header('x-leanctx-context'),
      agentName: agentFrom(c),
    });
  };
  app.on(['GET', 'POST', 'DELETE'], '/mcp', mcpRoute);
  app.on(['GET', 'POST', 'DELETE'], '/', mcpRoute);

  app.notFound(() => {
    throw new AppError('not_found', 'no such route; see GET /v1/manifest for what this server offers');
  });

  app.onError((err, c) => {
    const appErr =
      err instanceof AppError
        ? err
        : new AppError('internal_error', undefined, { requestId: c.get('requestId') });
    if (!(err instanceof AppError)) {
      deps.logger.error('unhandled error', {
        requestId: c.get('requestId'),
        path: c.req.path,
        error: String(err),
      });
    }
    if (appErr.status !== 500) deps.metrics.denials.inc({ reason: appErr.code });
    if (!appErr.audited) writeRefusal(deps, c, appErr);
    const headers: Record<string, string> = {};
    const retryAfter = appErr.details.retryAfter;
    if (typeof retryAfter === 'number') headers['retry-after'] = String(retryAfter);
    return c.json(appErr.toJSON(), appErr.status as 400, headers);
  });

  return app;
}
