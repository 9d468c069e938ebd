import type { HttpBindings } from '@hono/node-server';
import { Hono } from 'hono';
import type { SSEStreamingApi } from 'hono/streaming';
import { streamSSE } from 'hono/streaming';
import { accessEntry } from '../../audit/endpoint-audit.ts';
import { AppError } from '../../errors.ts';
import { type ReplayGap, replayNotice, toContextEvent } from '../../events/context-event.ts';
import { subscribeQueue } from '../../events/event-queue.ts';
import { DEFAULT_REPLAY_LIMIT, MAX_REPLAY_LIMIT, parseLimit, parseSince } from '../../events/replay-query.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { resolveWorkspace } from '../../pipeline/invoke.ts';
import type { EventRecord } from '../../store/types.ts';
import type { HttpEnv } from '../http-env.ts';
import { channelFrom, workspaceFrom } from '../request-scope.ts';
import { requireScope } from '../require-scope.ts';
import { eventQueryRoutes } from './event-queries.ts';

const REPLAY_PAGE = 500;

/**
 * SSE: replays a channel's stored events after `since`, oldest first and at most `limit`,
 * then streams new ones live. Events a replay does not send (removed by retention, or past
 * `limit`) are announced by a `replay_truncated` event instead of a silent gap.
 */
export function eventRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  const openByToken = new Map<string, number>();

  app.get('/events', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'events', 'GET /v1/events');
    const ws = resolveWorkspace(deps, caller, workspaceFrom(c, c.req.query('workspaceId')));
    const channelId = channelFrom(c) ?? 'main';
    const since = parseSince(c.req.query('since'), c.req.header('last-event-id'));
    const cfg = deps.state.config();
    const limit = Math.min(
      parseLimit(c.req.query('limit'), 'limit', DEFAULT_REPLAY_LIMIT, MAX_REPLAY_LIMIT),
      cfg.maxReplayEvents,
    );
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
      data: JSON.stringify(toContextEvent(e, fullPayload)),
    });
    const notice = (gap: ReplayGap) => ({
      id: String(gap.skippedThrough),
      event: 'replay_truncated',
      data: JSON.stringify(
        replayNotice({ workspaceId: ws.id, channelId, ts: new Date(deps.now()).toISOString() }, gap, limit),
      ),
    });
    openByToken.set(caller.tokenId, open + 1);
    deps.audit.write(
      accessEntry({
        ts: new Date(deps.now()).toISOString(),
        requestId: c.get('requestId'),
        tokenId: caller.tokenId,
        workspaceId: ws.id,
        channelId,
        method: 'events',
        eventKind: 'sse_subscribe',
        eventId: since,
      }),
    );

    /** Sends the stored events after `from` (at most `limit`); returns the last id accounted for. */
    async function replay(stream: SSEStreamingApi, from: number): Promise<number> {
      let last = from;
      let sent = 0;
      try {
        while (sent < limit && !stream.aborted) {
          const page = await deps.hub.store.since(
            ws.id,
            channelId,
            last,
            Math.min(REPLAY_PAGE, limit - sent),
          );
          const first = page[0];
          if (sent === 0 && first && first.revision > from + 1) {
            await stream.writeSSE(
              notice({
                reason: 'retention',
                since: from,
                skippedFrom: from + 1,
                skippedThrough: first.revision - 1,
              }),
            );
          }
          for (const e of page) {
            await stream.writeSSE(frame(e));
            last = e.revision;
            sent++;
          }
          if (page.length === 0) return last;
        }
        const latest = await deps.hub.store.latestRevision(ws.id, channelId);
        if (latest > last && !stream.aborted) {
          await stream.writeSSE(
            notice({ reason: 'limit', since: from, skippedFrom: last + 1, skippedThrough: latest }),
          );
          last = latest;
        }
        return last;
      } finally {
        deps.metrics.context.eventsReplayed(sent);
      }
    }

    /** Sends the stored events after `from` and before `before`; returns the last one sent. */
    async function fillGap(stream: SSEStreamingApi, from: number, before: number): Promise<number> {
      let last = from;
      while (last < before - 1 && !stream.aborted) {
        const page = await deps.hub.store.since(
          ws.id,
          channelId,
          last,
          Math.min(REPLAY_PAGE, before - 1 - last),
        );
        if (page.length === 0) break;
        for (const e of page) {
          if (e.revision >= before) return last;
          await stream.writeSSE(frame(e));
          last = e.revision;
        }
      }
      return last;
    }

    return streamSSE(c, async (stream) => {
      deps.metrics.sseClients.inc();
      deps.metrics.context.streamOpened(ws.id);
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
        let last = await replay(stream, since);
        for (let e = await live.next(); e && !stream.aborted; e = await live.next()) {
          if (e.revision <= last) continue;
          // Another replica's events can arrive late or not at all: the store has them.
          if (e.revision > last + 1) last = await fillGap(stream, last, e.revision);
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
        deps.metrics.context.streamClosed();
      }
    });
  });

  app.route('/', eventQueryRoutes(deps));
  return app;
}
