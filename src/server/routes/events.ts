import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { AppError } from '../../errors.ts';
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

/** SSE: replays a channel's events after `since`, then streams new ones live. */
export function eventRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();
  app.get('/events', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'events', 'GET /v1/events');
    const ws = resolveWorkspace(deps, caller, workspaceFrom(c, c.req.query('workspaceId')));
    const channelId = channelFrom(c) ?? 'main';
    const since = parseSince(c.req.query('since') ?? c.req.header('last-event-id'));
    const fullPayload = caller.scopes.has('audit');
    // one SSE frame as text: a burst of events goes out in one write, not one syscall each
    const frame = (e: EventRecord) =>
      `event: ${e.kind}\ndata: ${JSON.stringify({
        revision: e.revision,
        kind: e.kind,
        workspaceId: e.workspaceId,
        channelId: e.channelId,
        actor: e.actor,
        ts: e.ts,
        payload: fullPayload ? e.payload : { ...e.payload, tokensSent: undefined },
      })}\nid: ${e.revision}\n\n`;

    return streamSSE(c, async (stream) => {
      deps.metrics.sseClients.inc();
      // Subscribe before replaying so nothing falls between the two; duplicates are skipped.
      const live: EventRecord[] = [];
      let replaying = true;
      let last = since;
      let wake: (() => void) | undefined;
      const unsubscribe = deps.hub.subscribe(ws.id, channelId, (e) => {
        live.push(e);
        wake?.();
      });
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      const keepAlive = setInterval(() => {
        void stream.write(': keep-alive\n\n').catch(() => undefined);
      }, deps.keepAliveMs);
      keepAlive.unref();
      try {
        for (;;) {
          const page = await deps.hub.store.since(ws.id, channelId, last, REPLAY_PAGE);
          if (page.length > 0) await stream.write(page.map(frame).join(''));
          last = page.at(-1)?.revision ?? last;
          if (page.length < REPLAY_PAGE) break;
        }
        replaying = false;
        while (!closed && !replaying) {
          let burst = '';
          while (live.length > 0) {
            const e = live.shift() as EventRecord;
            if (e.revision <= last) continue;
            burst += frame(e);
            last = e.revision;
          }
          if (burst) await stream.write(burst);
          // events that came during the write are sent before waiting again
          if (live.length > 0) continue;
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      } finally {
        clearInterval(keepAlive);
        unsubscribe();
        deps.metrics.sseClients.dec();
      }
    });
  });
  return app;
}
