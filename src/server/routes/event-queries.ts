import { Hono } from 'hono';
import { AppError } from '../../errors.ts';
import { toContextEvent } from '../../events/context-event.ts';
import { parseLimit } from '../../events/replay-query.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { resolveWorkspace } from '../../pipeline/invoke.ts';
import { MAX_EVENT_SEARCH_TERMS } from '../../store/types.ts';
import type { HttpEnv } from '../http-env.ts';
import { channelFrom, workspaceFrom } from '../request-scope.ts';
import { requireScope } from '../require-scope.ts';

const MAX_QUERY_CHARS = 200;
/** A search looks at this many of the newest events (of the workspace or channel). */
const SEARCH_SCAN = 10_000;

/** Words and "quoted phrases" of a search, every one of which an event must contain. */
function parseTerms(q: string | undefined): string[] {
  if (q === undefined || q.trim() === '') {
    throw new AppError('invalid_request', 'q is required: the words an event payload must contain');
  }
  if (q.length > MAX_QUERY_CHARS) {
    throw new AppError('invalid_request', `q is ${q.length} characters; at most ${MAX_QUERY_CHARS}`);
  }
  const terms = [...q.matchAll(/"([^"]*)"|(\S+)/g)]
    .map((m) => (m[1] ?? m[2] ?? '').toLowerCase())
    .filter((t) => t !== '');
  if (terms.length === 0) throw new AppError('invalid_request', 'q has no words to search for');
  if (terms.length > MAX_EVENT_SEARCH_TERMS) {
    throw new AppError('invalid_request', `q has ${terms.length} words; at most ${MAX_EVENT_SEARCH_TERMS}`);
  }
  return terms;
}

/** An event id (`id`, `depth`): a positive integer. */
function parseId(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) {
    throw new AppError(
      'invalid_request',
      `id must be an event id (an integer ≥ 1), got "${String(raw).slice(0, 40)}"`,
    );
  }
  return Number(raw);
}

/**
 * `GET /v1/events/search` and `GET /v1/events/lineage`, answered as the original lean-ctx
 * answered them, over the same store and with the same scope as `GET /v1/events`.
 */
export function eventQueryRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get('/events/search', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'events', 'GET /v1/events/search');
    const terms = parseTerms(c.req.query('q'));
    const ws = resolveWorkspace(deps, caller, workspaceFrom(c, c.req.query('workspaceId')));
    const channelId = channelFrom(c);
    const limit = parseLimit(c.req.query('limit'), 'limit', 20, 100);
    const full = caller.scopes.has('audit');
    const found = await deps.hub.store.search(ws.id, channelId, terms, { limit, scan: SEARCH_SCAN });
    // A token without `audit` must not find an event by a field it cannot see.
    const results = found
      .map((e) => toContextEvent(e, full))
      .filter((e) => full || terms.every((t) => JSON.stringify(e.payload).toLowerCase().includes(t)));
    return c.json({
      query: c.req.query('q'),
      workspaceId: ws.id,
      channelId: channelId ?? null,
      results,
      count: results.length,
    });
  });

  app.get('/events/lineage', async (c) => {
    const caller = c.get('caller');
    requireScope(caller, 'events', 'GET /v1/events/lineage');
    const id = parseId(c.req.query('id'));
    const depth = parseLimit(c.req.query('depth'), 'depth', 20, 50);
    const ws = resolveWorkspace(deps, caller, workspaceFrom(c, c.req.query('workspaceId')));
    const channelId = channelFrom(c) ?? 'main';
    const full = caller.scopes.has('audit');
    const chain = [];
    // Our events record no parent yet, so a chain is the event itself; the walk stays for when they do.
    for (let next: number | null = id; next !== null && chain.length < depth; ) {
      const [e] = await deps.hub.store.since(ws.id, channelId, next - 1, 1);
      if (!e || e.revision !== next) break;
      const event = toContextEvent(e, full);
      chain.push(event);
      next = event.parentId;
    }
    return c.json({ eventId: id, chain, depth: chain.length });
  });

  return app;
}
