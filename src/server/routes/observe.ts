import { Hono } from 'hono';
import { accessEntry } from '../../audit/endpoint-audit.ts';
import { readAuditTail } from '../../audit/read-audit.ts';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { resolveWorkspace } from '../../pipeline/invoke.ts';
import { listChannels } from '../../sessions/channels.ts';
import type { HttpEnv } from '../http-env.ts';
import { workspaceFrom } from '../request-scope.ts';
import { requireScope } from '../require-scope.ts';

/** Metrics, audit reads and session listings. */
export function observeRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get('/metrics', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/metrics');
    deps.audit.write(
      accessEntry({
        ts: new Date(deps.now()).toISOString(),
        requestId: c.get('requestId'),
        tokenId: caller.tokenId,
        workspaceId: null,
        channelId: null,
        method: 'metrics',
      }),
    );
    const wantsText =
      c.req.query('format') === 'prometheus' || (c.req.header('accept') ?? '').includes('text/plain');
    if (wantsText) {
      return c.body(await deps.metrics.registry.metrics(), 200, {
        'content-type': deps.metrics.registry.contentType,
      });
    }
    // The original lean-ctx MetricsSnapshot fields and `slo` at the top level, next to ours.
    return c.json({
      ...deps.metrics.context.snapshot(),
      slo: deps.metrics.slo.snapshot(),
      version: deps.version,
      metrics: await deps.metrics.registry.getMetricsAsJSON(),
    });
  });

  app.get('/audit', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/audit');
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new AppError('invalid_request', 'limit must be an integer from 1 to 1000');
    }
    const since = c.req.query('since');
    if (since !== undefined && Number.isNaN(Date.parse(since))) {
      throw new AppError('invalid_request', `since must be an ISO timestamp, got "${since}"`);
    }
    const path = deps.audit.path;
    if (!path) return c.json({ enabled: false, entries: [], hint: 'set auditLogPath in team.json' });
    deps.audit.flush();
    const all = await readAuditTail(path, deps.state.config().auditLogPath);
    // A token limited to some workspaces sees only their lines (not refusals outside any).
    const allowed = caller.workspaces;
    const visible = allowed
      ? all.filter((e) => typeof e.workspaceId === 'string' && allowed.includes(e.workspaceId))
      : all;
    const after = since ? visible.filter((e) => String(e.ts) > new Date(since).toISOString()) : visible;
    return c.json({ enabled: true, entries: after.slice(-limit) });
  });

  app.get('/sessions', async (c) => {
    const caller = c.get('caller');
    const ws = resolveWorkspace(deps, caller, workspaceFrom(c, c.req.query('workspaceId')));
    return c.json({ workspaceId: ws.id, channels: await listChannels(deps.store, ws.id) });
  });

  return app;
}
