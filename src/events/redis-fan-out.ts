import type { Logger } from '../logger.ts';
import type { RedisLink } from '../store/redis/redis-link.ts';
import type { EventRecord } from '../store/types.ts';
import type { EventFanOut } from './event-hub.ts';

/**
 * Events between replicas over Redis pub/sub: each stored event is published whole (payloads
 * are capped at 4 KiB) on one channel. Pub/sub may drop a message while a connection is down;
 * subscribers then read the gap from the store, and a reconnect triggers a resync.
 */
export function createRedisFanOut(link: RedisLink, originId: string, logger: Logger): EventFanOut {
  const channel = `${link.prefix}events`;
  let lastLogged = 0;
  return {
    announce(event) {
      link.publish(channel, JSON.stringify({ r: originId, e: event })).catch((err: unknown) => {
        const now = Date.now();
        if (now - lastLogged < 10_000) return;
        lastLogged = now;
        logger.warn(
          'event not announced to other replicas (Redis unavailable); their streams catch up on the next event',
          {
            error: String(err),
          },
        );
      });
    },
    listen(deliver, resync) {
      link.onReconnect(resync);
      link
        .psubscribe(channel, (message) => {
          try {
            const { r, e } = JSON.parse(message) as { r: string; e: EventRecord };
            if (r !== originId) deliver(e);
          } catch {
            // not ours
          }
        })
        .catch((err: unknown) =>
          logger.error('subscribing to other replicas\u2019 events failed', { error: String(err) }),
        );
    },
    close: async () => undefined,
  };
}
