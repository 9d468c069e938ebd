import { createHash } from 'node:crypto';
import { createClient } from 'redis';
import type { RedisConfig } from '../../config/scale-out.ts';
import type { Logger } from '../../logger.ts';

/** Redis did not answer: the caller decides whether that fails open or closed. */
export class RedisUnavailableError extends Error {
  constructor(what: string, cause: unknown) {
    super(`Redis is unavailable (${what}): ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RedisUnavailableError';
  }
}

type Client = ReturnType<typeof createClient>;

/** A Lua script run by its SHA-1, loaded on the first NOSCRIPT. */
export interface LuaScript {
  readonly source: string;
  readonly sha: string;
}

export const defineLua = (source: string): LuaScript =>
  Object.freeze({ source, sha: createHash('sha1').update(source).digest('hex') });

export interface RedisLink {
  /** Every key starts with it (team.json redis.keyPrefix). */
  readonly prefix: string;
  readonly config: RedisConfig;
  /** One command (or a few) within the deadline; throws RedisUnavailableError. */
  run<T>(what: string, fn: (client: Client) => Promise<T>): Promise<T>;
  /** Runs a script; its reply as Redis returns it. */
  eval(script: LuaScript, keys: string[], args: (string | number)[]): Promise<unknown>;
  /** Publishes on a channel (no prefix added); a failure is thrown as RedisUnavailableError. */
  publish(channel: string, message: string): Promise<void>;
  /** Listens on a channel pattern; re-subscribed by the client after a reconnect. */
  psubscribe(pattern: string, listener: (message: string, channel: string) => void): Promise<void>;
  /** Called after every reconnect of the subscriber (messages may have been missed meanwhile). */
  onReconnect(listener: () => void): void;
  isReady(): boolean;
  /** Commands that failed so far: what a replica learned from Redis before one may be stale. */
  failureCount(): number;
  close(): Promise<void>;
}

/** A command not answered within this is treated as an outage (fail open or closed, per feature). */
const COMMAND_DEADLINE_MS = 1000;

/**
 * Two connections to Redis: commands and pub/sub. Commands are never queued while the
 * connection is down (they fail at once), and both reconnect by themselves with backoff.
 */
export function createRedisLink(config: RedisConfig, logger: Logger): RedisLink {
  let lastLogged = 0;
  const onError = (err: unknown) => {
    // The client reports every failed reconnect attempt: one line per 10 s is enough.
    const now = Date.now();
    if (now - lastLogged < 10_000) return;
    lastLogged = now;
    logger.warn('Redis connection error; retrying', { error: String(err) });
  };
  const options = {
    url: config.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: COMMAND_DEADLINE_MS * 2,
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 2000),
    },
  };
  const client = createClient(options);
  const subscriber = createClient(options);
  const reconnectListeners: (() => void)[] = [];
  client.on('error', onError);
  subscriber.on('error', onError);
  let subscriberReadyOnce = false;
  subscriber.on('ready', () => {
    if (subscriberReadyOnce) for (const l of reconnectListeners) l();
    subscriberReadyOnce = true;
  });
  const connecting = Promise.allSettled([client.connect(), subscriber.connect()]);
  let closed = false;
  let failures = 0;

  const run = async <T>(what: string, fn: (c: Client) => Promise<T>): Promise<T> => {
    if (!client.isReady) {
      failures++;
      throw new RedisUnavailableError(what, new Error('not connected'));
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(client),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`no answer within ${COMMAND_DEADLINE_MS} ms`)),
            COMMAND_DEADLINE_MS,
          );
          timer.unref();
        }),
      ]);
    } catch (err) {
      failures++;
      throw new RedisUnavailableError(what, err);
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    prefix: config.keyPrefix,
    config,
    run,
    eval(script, keys, args) {
      const strArgs = args.map(String);
      return run('script', async (c) => {
        try {
          return await c.evalSha(script.sha, { keys, arguments: strArgs });
        } catch (err) {
          if (!String(err).includes('NOSCRIPT')) throw err;
          return c.eval(script.source, { keys, arguments: strArgs });
        }
      });
    },
    async publish(channel, message) {
      await run('publish', (c) => c.publish(channel, message));
    },
    async psubscribe(pattern, listener) {
      await connecting;
      await subscriber.pSubscribe(pattern, (message, channel) => listener(message, channel));
    },
    onReconnect(listener) {
      reconnectListeners.push(listener);
    },
    isReady: () => client.isReady,
    failureCount: () => failures,
    async close() {
      if (closed) return;
      closed = true;
      // A link still trying to connect (Redis down since start) is dropped, not waited for.
      for (const c of [client, subscriber]) {
        if (c.isReady) await c.close().catch(() => undefined);
        if (c.isOpen) c.destroy();
      }
      await connecting;
    },
  };
}
