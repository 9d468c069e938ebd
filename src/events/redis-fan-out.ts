import type { Logger } from '../logger.ts';
import type { RedisLink } from '../store/redis/redis-link.ts';
import type { EventRecord } from '../store/types.ts';
import type { EventFanOut } from './event-hub.ts';
import { parseFanOutMessage } from './fan-out-message.ts';

/**
 * Events between replicas over Redis pub/sub: the events a replica stored in one turn of its
 * event loop (a group commit settles many at once) go out whole, in one message on one
 * channel (payloads are capped at 4 KiB). Pub/sub may drop a message while a connection is
 * down; subscribers then read the gap from the store, and a reconnect triggers a resync.
 */
export function createRedisFanOut(link: RedisLink, originId: string, logger: Logger): EventFanOut {
  const channel = `${link.prefix}events`;
  let lastLogged = 0;
  let pending: EventRecord[] = [];
  const send = () => {
    const es = pending;
    pending = [];
    link.publish(channel, JSON.stringify({ r: originId, es })).catch((err: unknown) => {
      const now = Date.now();
      if (now - lastLogged < 10_000) return;
      lastLogged = now;
      logger.warn(
        'event not announced to other replicas (Redis unavailable); their streams catch up on the next event',
        { error: String(err) },
      );
    });
  };
  return {
    announce(event) {
      // once the promises settled by this commit have run, not a timer later
      if (pending.length === 0) process.nextTick(send);
      pending.push(event);
    },
    listen(deliver, resync) {
      link.onReconnect(resync);
      link
        .psubscribe(channel, (message) => {
          const events = parseFanOutMessage(message, originId);
          if (events === 'resync') resync();
          else for (const e of events) deliver(e);
        })
        .catch((err: unknown) =>
          logger.error('subscribing to other replicas\u2019 events failed', { error: String(err) }),
        );
    },
    close: async () => undefined,
  };
}
