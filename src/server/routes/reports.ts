import { Hono } from 'hono';
import type { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { resolveWorkspace } from '../../pipeline/invoke.ts';
import { contextSummary } from '../../reports/context-summary.ts';
import { memberSavings, savingsSummary, windowStart } from '../../reports/savings.ts';
import { measureStorage, type StorageMeasure } from '../../reports/storage.ts';
import type * as s from '../api-schemas.ts';
import { contextSummaryQuery, memberParams, SUMMARY_MAX_EVENTS } from '../api-schemas.ts';
import type { HttpEnv } from '../http-env.ts';
import { describeIssue, parseQuery } from '../parse-input.ts';
import { channelFrom, workspaceFrom } from '../request-scope.ts';
import { requireScope } from '../require-scope.ts';

/** A storage walk is reused this long: dashboards poll, and the walk costs a stat per file. */
const STORAGE_CACHE_MS = 60_000;

/**
 * The original team server's reports: the channel summary (any token), and the savings,
 * storage and usage reports (the `audit` scope, as there).
 */
export function reportRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  let storage: { at: number; measure: Promise<StorageMeasure> } | undefined;

  const pricing = () => {
    const g = deps.state.config().governance;
    return { model: g.model, usdPerMillionTokens: g.usdPerMillionTokens };
  };
  const rollup = (caller: { workspaces: readonly string[] | undefined }, agentId?: string) =>
    deps.store.usage.rollup({
      workspaceIds: caller.workspaces,
      sinceDay: windowStart(deps.now()),
      ...(agentId !== undefined ? { agentId } : {}),
    });
  const measured = async () => {
    const now = deps.now();
    if (!storage || now - storage.at >= STORAGE_CACHE_MS) {
      const cfg = deps.state.config();
      const fresh = { at: now, measure: measureStorage(cfg.dataDir, cfg.auditLogPath) };
      storage = fresh;
      // a failed walk is not kept: the next request measures again
      fresh.measure.catch(() => {
        if (storage === fresh) storage = undefined;
      });
    }
    const { at, measure } = storage;
    return { ...(await measure), ageSeconds: Math.floor((now - at) / 1000) };
  };

  app.get('/context/summary', async (c) => {
    const q = parseQuery(contextSummaryQuery, c.req.query());
    const ws = resolveWorkspace(deps, c.get('caller'), workspaceFrom(c, q.workspaceId));
    const channelId = channelFrom(c, q.channelId) ?? 'main';
    const limit = Math.min(q.limit, SUMMARY_MAX_EVENTS);
    const latest = await deps.store.events.latestRevision(ws.id, channelId);
    const events =
      limit === 0 ? [] : await deps.store.events.since(ws.id, channelId, Math.max(0, latest - limit), limit);
    return c.json(
      contextSummary(ws.id, channelId, latest, events) satisfies z.output<typeof s.contextSummary>,
    );
  });

  app.get('/savings/summary', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/savings/summary');
    const report = savingsSummary(await rollup(caller), deps.now(), pricing());
    return c.json(report satisfies z.output<typeof s.savingsSummary>);
  });

  app.get('/savings/member/:signer', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/savings/member/{signer}');
    const params = memberParams.safeParse(c.req.param());
    if (!params.success) throw new AppError('invalid_request', describeIssue(params.error));
    const { signer } = params.data;
    const report = memberSavings(signer, await rollup(caller, signer), deps.now(), pricing());
    if (!report) {
      throw new AppError(
        'not_found',
        `agent "${signer}" has no recorded tool calls; see GET /v1/savings/summary`,
      );
    }
    return c.json(report satisfies z.output<typeof s.memberSavings>);
  });

  app.get('/storage', async (c) => {
    requireScope(c.get('caller'), 'audit', 'GET /v1/storage');
    const m = await measured();
    return c.json({
      schemaVersion: 1,
      measuredAt: new Date(deps.now() - m.ageSeconds * 1000).toISOString(),
      usedBytes: m.usedBytes,
      quotaBytes: deps.state.config().storageQuotaBytes ?? 0,
      components: m.components,
      cacheAgeSeconds: m.ageSeconds,
    } satisfies z.output<typeof s.storageReport>);
  });

  app.get('/usage', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'audit', 'GET /v1/usage');
    const savings = savingsSummary(await rollup(caller), deps.now(), pricing());
    const m = await measured();
    return c.json({
      schemaVersion: 1,
      generatedAt: new Date(deps.now()).toISOString(),
      savings: {
        memberCount: savings.member_count,
        savedTokens: savings.totals.saved_tokens,
        netSavedTokens: savings.totals.net_saved_tokens,
        savedUsd: savings.totals.saved_usd,
      },
      toolCalls: savings.totals.total_events,
      storage: { used_bytes: m.usedBytes, quota_bytes: deps.state.config().storageQuotaBytes ?? 0 },
      connectors: {},
    } satisfies z.output<typeof s.usageReport>);
  });

  return app;
}
