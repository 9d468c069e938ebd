import { Hono } from 'hono';
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import type { Caller } from '../../pipeline/team-state.ts';
import { costReport, gainReport, heatmap, sinceTsOf } from '../../reports/economics.ts';
import type * as s from '../api-schemas.ts';
import { economicsQuery, HEATMAP_MAX_LIMIT, heatmapQuery } from '../api-schemas.ts';
import type { HttpEnv } from '../http-env.ts';
import { parseQuery } from '../parse-input.ts';
import { requireScope } from '../require-scope.ts';

/**
 * The context-economics reports for scripts and the observatory: gain, cost and the file
 * heatmap, over the workspaces the token may use (the `audit` scope, like the savings reports).
 */
export function economicsRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const pricing = () => {
    const g = deps.state.config().governance;
    return { model: g.model, usdPerMillionTokens: g.usdPerMillionTokens };
  };
  /** The token's workspaces, or the one asked for when the token may use it. */
  const workspacesOf = (caller: Caller, workspaceId: string | undefined): readonly string[] | undefined => {
    if (workspaceId === undefined) return caller.workspaces;
    if (!deps.state.workspace(workspaceId)) {
      const known = deps.state.workspaces().map((w) => w.id);
      throw new AppError(
        'unknown_workspace',
        `workspace "${workspaceId}" is not configured; known: ${known.join(', ')}`,
        {
          workspaceId,
          known,
        },
      );
    }
    if (caller.workspaces && !caller.workspaces.includes(workspaceId)) {
      throw new AppError(
        'workspace_denied',
        `token "${caller.tokenId}" may not use workspace "${workspaceId}"`,
        {
          workspaceId,
          allowed: caller.workspaces,
        },
      );
    }
    return [workspaceId];
  };

  app.get('/gain', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/gain');
    const q = parseQuery(economicsQuery, c.req.query());
    const scope = { workspaceIds: workspacesOf(caller, q.workspaceId), period: q.period, nowMs: deps.now() };
    return c.json((await gainReport(deps.store, scope, pricing())) satisfies z.output<typeof s.gainReport>);
  });

  app.get('/cost', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/cost');
    const q = parseQuery(economicsQuery, c.req.query());
    const scope = { workspaceIds: workspacesOf(caller, q.workspaceId), period: q.period, nowMs: deps.now() };
    return c.json((await costReport(deps.store, scope, pricing())) satisfies z.output<typeof s.costReport>);
  });

  app.get('/heatmap', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/heatmap');
    const q = parseQuery(heatmapQuery, c.req.query());
    const report = await heatmap(deps.store, {
      workspaceIds: workspacesOf(caller, q.workspaceId),
      sinceTs: sinceTsOf(q.period, deps.now()),
      limit: Math.min(q.limit, HEATMAP_MAX_LIMIT),
    });
    return c.json(report satisfies z.output<typeof s.heatmapReport>);
  });

  return app;
}
