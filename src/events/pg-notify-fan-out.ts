import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { EventRecord } from '../store/types.ts';
import type { EventFanOut } from './event-hub.ts';
import { parseFanOutMessage } from './fan-out-message.ts';

/** The NOTIFY channel of every leanctx process on one database (NOTIFY never crosses databases). */
export const EVENTS_NOTIFY_CHANNEL = 'leanctx_events';

/** NOTIFY payloads must stay under 8000 bytes; a batch is cut into messages below this. */
const MAX_NOTIFY_BYTES = 7800;

/** What the database puts before each event's JSON once it knows the revision, at most. */
const REVISION_BYTES = Buffer.byteLength(`{"revision":${Number.MAX_SAFE_INTEGER},`);

/**
 * The NOTIFY messages announcing one batch, planned before its revisions exist (the database
 * assigns them in the statement that sends the messages): message `i` is `{r, es}` with the
 * events whose `messages` entry is `i`, each `{"revision":N,` followed by its `bodies` entry, or
 * `{r, resync: true}` for an event too large to travel (its body is null; receivers read the store).
 */
export interface NotifyPlan {
  /** Starts every `{r, es}` message; `]}` ends it. */
  prefix: string;
  resync: string;
  /** Each event's JSON without its revision and opening brace. */
  bodies: (string | null)[];
  /** Each event's message, in sending order. */
  messages: number[];
}

export function planNotifications(events: readonly EventRecord[], originId: string): NotifyPlan {
  const prefix = `{"r":${JSON.stringify(originId)},"es":[`;
  const empty = Buffer.byteLength(prefix) + 2;
  const bodies: (string | null)[] = [];
  const messages: number[] = [];
  let message = -1;
  let bytes = MAX_NOTIFY_BYTES; // nothing open yet
  for (const e of events) {
    const body = JSON.stringify({ ...e, revision: undefined }).slice(1);
    const size = REVISION_BYTES + Buffer.byteLength(body) + 1;
    if (empty + size > MAX_NOTIFY_BYTES) {
      bodies.push(null);
      messages.push(++message);
      bytes = MAX_NOTIFY_BYTES;
      continue;
    }
    if (bytes + size > MAX_NOTIFY_BYTES) {
      message++;
      bytes = empty;
    }
    bodies.push(body);
    messages.push(message);
    bytes += size;
  }
  return { prefix, resync: JSON.stringify({ r: originId, resync: true }), bodies, messages };
}

/**
 * Events between replicas over PostgreSQL LISTEN/NOTIFY. The event store sends the NOTIFY in
 * the transaction that inserts the events (createPgEventStore's `notify`), so PostgreSQL
 * delivers them at commit, in commit order, which for one channel is revision order; this side
 * only listens, on a connection of its own that reconnects and then resyncs.
 */
export function createPgNotifyFanOut(opts: {
  url: string;
  channel: string;
  originId: string;
  logger: Logger;
}): EventFanOut {
  let client: pg.Client | undefined;
  let closed = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let lastLogged = 0;
  const connect = async (deliver: (e: EventRecord) => void, resync: () => void, again: boolean) => {
    const c = new pg.Client({
      connectionString: opts.url,
      application_name: 'leanctx-events',
      keepAlive: true,
    });
    client = c;
    const retry = (err: unknown) => {
      if (client !== c || closed) return;
      client = undefined;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      const now = Date.now();
      if (now - lastLogged > 10_000) {
        lastLogged = now;
        opts.logger.warn('listening for other replicas\u2019 events failed; retrying', {
          error: String(err),
        });
      }
      timer = setTimeout(() => void connect(deliver, resync, true), Math.min(50 * 2 ** attempt++, 2000));
      timer.unref();
    };
    c.on('error', retry);
    c.on('end', () => retry(new Error('connection ended')));
    c.on('notification', (n) => {
      if (n.channel !== opts.channel || n.payload === undefined) return;
      const events = parseFanOutMessage(n.payload, opts.originId);
      if (events === 'resync') resync();
      else for (const e of events) deliver(e);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(opts.channel)}`);
      attempt = 0;
      // messages sent while no connection listened are gone: the store has the events
      if (again) resync();
    } catch (err) {
      retry(err);
    }
  };
  return {
    announce() {
      // sent by the event store inside its commit
    },
    listen(deliver, resync) {
      void connect(deliver, resync, false);
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await client?.end().catch(() => undefined);
    },
  };
}
