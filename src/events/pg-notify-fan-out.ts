import pg from 'pg';
import type { Logger } from '../logger.ts';
import type { EventRecord } from '../store/types.ts';
import type { EventFanOut } from './event-hub.ts';
import { parseFanOutMessage } from './fan-out-message.ts';

/** The NOTIFY channel of every leanctx process on one database (NOTIFY never crosses databases). */
export const EVENTS_NOTIFY_CHANNEL = 'leanctx_events';

/** NOTIFY payloads must stay under 8000 bytes; a batch is cut into messages below this. */
const MAX_NOTIFY_BYTES = 7800;

/**
 * The NOTIFY payloads announcing one committed batch: `{r, es}` messages under the size limit,
 * and `{r, resync: true}` for an event too large to travel (receivers read it from the store).
 */
export function notifyPayloads(events: readonly EventRecord[], originId: string): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  let bytes = 0;
  const head = `{"r":${JSON.stringify(originId)},"es":[`;
  const flush = () => {
    if (batch.length > 0) out.push(`${head}${batch.join(',')}]}`);
    batch = [];
    bytes = Buffer.byteLength(head) + 2;
  };
  flush();
  for (const e of events) {
    const json = JSON.stringify(e);
    const size = Buffer.byteLength(json) + 1;
    if (Buffer.byteLength(head) + 2 + size > MAX_NOTIFY_BYTES) {
      flush();
      out.push(JSON.stringify({ r: originId, resync: true }));
      continue;
    }
    if (bytes + size > MAX_NOTIFY_BYTES) flush();
    batch.push(json);
    bytes += size;
  }
  flush();
  return out;
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
