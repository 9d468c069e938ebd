import { createHash } from 'node:crypto';
import type { RedisLink } from '../store/redis/redis-link.ts';

/**
 * Sealed MCP session ids ended with `DELETE /mcp`. A sealed id stays valid on every replica
 * until it expires, so its end is written where every replica looks: one Redis key per id,
 * living as long as the id would have. Ids this replica ended are also kept in memory.
 */
export interface EndedSessions {
  /** Records the end until `expiresAt`; throws RedisUnavailableError when Redis did not take it. */
  end(id: string, expiresAt: number): Promise<void>;
  /** Whether the id was ended here or (through Redis) on any replica; Redis down: only here. */
  isEnded(id: string): Promise<boolean>;
}

/** A hash of the id, so keys stay short and Redis never holds a usable session id. */
const digestOf = (id: string) => createHash('sha256').update(id).digest('base64url').slice(0, 32);

/** Local entries kept at most; past it the soonest to expire are dropped (Redis still has them). */
const MAX_LOCAL = 100_000;

export function createEndedSessions(
  link: RedisLink | undefined,
  now: () => number,
  onRedisFailure: (err: unknown) => void,
): EndedSessions {
  const local = new Map<string, number>();
  const keyOf = (digest: string) => `${link?.prefix ?? ''}mcp:ended:${digest}`;
  const prune = () => {
    const t = now();
    for (const [digest, expiresAt] of local) if (expiresAt <= t) local.delete(digest);
    if (local.size <= MAX_LOCAL) return;
    const soonest = [...local].sort((a, b) => a[1] - b[1]).slice(0, local.size - MAX_LOCAL);
    for (const [digest] of soonest) local.delete(digest);
  };
  return {
    async end(id, expiresAt) {
      const digest = digestOf(id);
      local.set(digest, expiresAt);
      if (local.size > MAX_LOCAL / 2) prune();
      const ttlMs = Math.max(1, expiresAt - now());
      if (link) await link.run('end MCP session', (c) => c.set(keyOf(digest), '1', { PX: ttlMs }));
    },
    async isEnded(id) {
      const digest = digestOf(id);
      const here = local.get(digest);
      if (here !== undefined && here > now()) return true;
      if (!link) return false;
      try {
        return (await link.run('check MCP session', (c) => c.exists(keyOf(digest)))) === 1;
      } catch (err) {
        // Fail open: the id grants nothing its bearer token does not (the token is checked first).
        onRedisFailure(err);
        return false;
      }
    },
  };
}
