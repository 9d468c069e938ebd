import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../../errors.ts';
import { subscribeQueue } from '../../events/event-queue.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { resolveWorkspace } from '../../pipeline/invoke.ts';
import type { EventRecord } from '../../store/types.ts';
import type { HttpEnv } from '../http-env.ts';
import { channelFrom, workspaceFrom } from '../request-scope.ts';
import { requireScope } from '../require-scope.ts';

const REPLAY_PAGE = 500;

function parseSince(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    throw new AppError(
      'invalid_request',
      `since / Last-Event-ID must be a revision number ≥ 0, got "${raw}"`,
    );
  }
  return n;
}

/** SSE: replays a channel's events after `since` (at most maxReplayEvents), then streams new ones live. */
export function eventRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const openByToken = new Map<string, number>();

  app.get('/events', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'events', 'GET /v1/events');
    const ws = resolveWorkspace(deps, caller, workspaceFrom(c, c.req.query('workspaceId')));
    const channelId = channelFrom(c) ?? 'main';
    const since = parseSince(c.req.query('since') ?? c.req.header('last-event-id'));
    const cfg = deps.state.config();
    const open = openByToken.get(caller.tokenId) ?? 0;
    if (open >= cfg.maxEventStreamsPerToken) {
      throw new AppError(
        'too_many_sessions',
        `token "${caller.tokenId}" has ${open} open event streams, the most maxEventStreamsPerToken allows; close one first`,
        { limit: cfg.maxEventStreamsPerToken },
      );
    }
    const fullPayload = caller.scopes.has('audit');
    const frame = (e: EventRecord) => ({
      id: String(e.revision),
      event: e.kind,
      data: JSON.stringify({
        revision: e.revision,
        kind: e.kind,
        workspaceId: e.workspaceId,
        channelId: e.channelId,
        actor: e.actor,
        ts: e.ts,
        payload: fullPayload ? e.payload : { ...e.payload, tokensSent: undefined },
      }),
    });
    openByToken.set(caller.tokenId, open + 1);

    return streamSSE(c, async (stream) => {
      deps.metrics.sseClients.inc();
      // Subscribe before replaying so nothing falls between the two; duplicates are skipped.
      const live = subscribeQueue(deps.hub, ws.id, channelId, cfg.maxQueuedEventsPerStream, () => {
        deps.logger.warn('dropped an event stream that fell behind', {
          tokenId: caller.tokenId,
          limit: cfg.maxQueuedEventsPerStream,
        });
        stream.abort();
        // A stalled reader would hold the socket and its buffers: close it outright.
        (c.env as Partial<HttpBindings> | undefined)?.outgoing?.destroy();
      });
      stream.onAbort(() => live.close());
      // Revoked, re-issued or re-scoped: the stream ends; the client reconnects with Last-Event-ID.
      const stopWatching = deps.state.onApply(() => {
        if (!deps.state.isCurrent(caller)) {
          live.close();
          stream.abort();
        }
      });
      const keepAlive = setInterval(() => {
        void stream.write(': keep-alive\n\n').catch(() => undefined);
      }, deps.keepAliveMs);
      keepAlive.unref();
      try {
        let last = since;
        const latest = await deps.hub.store.latestRevision(ws.id, channelId);
        const from = Math.max(since, latest - cfg.maxReplayEvents);
        let first = true;
        for (;;) {
          const page = await deps.hub.store.since(ws.id, channelId, first ? from : last, REPLAY_PAGE);
          const skippedThrough = (page[0]?.revision ?? from + 1) - 1;
          if (first && skippedThrough > since) {
            // Past maxReplayEvents, or removed by retention: say so instead of a silent gap.
            await stream.writeSSE({
              event: 'replay_truncated',
              data: JSON.stringify({ since, skippedThrough, maxReplayEvents: cfg.maxReplayEvents }),
            });
          }
          first = false;
          for (const e of page) {
            await stream.writeSSE(frame(e));
            last = e.revision;
          }
          if (page.length < REPLAY_PAGE || stream.aborted) break;
        }
        for (let e = await live.next(); e && !stream.aborted; e = await live.next()) {
          if (e.revision <= last) continue;
          await stream.writeSSE(frame(e));
          last = e.revision;
        }
      } finally {
        clearInterval(keepAlive);
        stopWatching();
        live.close();
        const left = (openByToken.get(caller.tokenId) ?? 1) - 1;
        if (left > 0) openByToken.set(caller.tokenId, left);
        else openByToken.delete(caller.tokenId);
        deps.metrics.sseClients.dec();
      }
    });
  });
  return app;
}
