import { createHash } from 'node:crypto';
import type { RedisLink } from '../../store/redis/redis-link.ts';
import type { Workspace } from '../workspace.ts';
import { type Delivery, readCacheOf } from './cache.ts';

/**
 * What each context has been sent, shared between replicas: a context whose next call lands
 * on another replica is answered there as honestly as here (a stub only for bytes it holds).
 */
export interface ReadStateSync {
  /**
   * Brings the context's records up to date before a call. `seq` is the hash's sequence
   * number when the caller already read it (admission does, in its one round trip).
   */
  pull(workspace: Workspace, scope: string, seq?: number): Promise<void>;
  /** Shares what the call changed, before its answer leaves. */
  push(workspace: Workspace, scope: string): Promise<void>;
}

/** Kept text larger than this stays on the replica that read it; others send the file in full. */
const MAX_SHARED_TEXT_CHARS = 256 * 1024;
/** The field of a context's hash that counts its changes. */
export const READ_STATE_SEQ = '~seq';
const SEQ = READ_STATE_SEQ;

/** The Redis hash of a context's read state. */
export const readStateKey = (link: RedisLink, workspaceId: string, scope: string) =>
  `${link.prefix}read:${workspaceId}:${createHash('sha1').update(scope).digest('hex')}`;

type Stored = Omit<Delivery, 'views' | 'fullText'> & { views: [string, number][]; fullText?: string };

const toStored = (d: Delivery): string =>
  JSON.stringify({
    ...d,
    views: [...d.views],
    fullText: d.fullText !== undefined && d.fullText.length <= MAX_SHARED_TEXT_CHARS ? d.fullText : undefined,
  } satisfies Stored);

/**
 * What makes a stub honest: which bytes and views the context holds. Only a change of these is
 * shared; read counters travel with it (so they may lag on another replica, never the hashes).
 */
const honestyOf = (d: Delivery) => `${d.ref}|${d.fullHash}|${[...d.views.keys()].join(',')}`;

const fromStored = (json: string): Delivery => {
  const s = JSON.parse(json) as Stored;
  return { ...s, fullText: s.fullText, views: new Map(s.views) };
};

/**
 * One Redis hash per (workspace, context): a field per file, and a sequence number bumped on
 * each change, so a call on an unchanged context costs one HGET (made by its admission, see
 * ratelimit/admission.ts). When Redis does not answer, the context is forgotten here: the
 * next reads send full content (never a dishonest stub).
 */
export function createRedisReadState(link: RedisLink, onFailure: (err: unknown) => void): ReadStateSync {
  /** The sequence number this replica's copy of each context matches (-1: unknown). */
  const seen = new Map<string, number>();
  /** The honesty fields of each record as last shared or restored. */
  const shared = new WeakMap<Delivery, string>();
  const keyOf = (ws: Workspace, scope: string) => readStateKey(link, ws.id, scope);
  const remember = (key: string, seq: number) => {
    if (seen.size >= 10_000 && !seen.has(key)) seen.clear();
    seen.set(key, seq);
  };
  return {
    async pull(ws, scope, knownSeq) {
      const key = keyOf(ws, scope);
      const cache = readCacheOf(ws);
      try {
        const seq = knownSeq ?? Number((await link.run('read state', (c) => c.hGet(key, SEQ))) ?? 0);
        if (seq === (seen.get(key) ?? 0)) return;
        const all = await link.run('read state', (c) => c.hGetAll(key));
        cache.forget(scope);
        for (const [rel, json] of Object.entries(all)) {
          if (rel === SEQ) continue;
          const d = fromStored(json);
          cache.restore(scope, rel, d);
          // what Redis holds already: a read that changes no hash or view has nothing to push
          shared.set(d, honestyOf(d));
        }
        cache.takeChanged(scope);
        remember(key, Number(all[SEQ] ?? 0));
      } catch (err) {
        cache.forget(scope);
        remember(key, -1);
        onFailure(err);
      }
    },
    async push(ws, scope) {
      const cache = readCacheOf(ws);
      const changed = cache.takeChanged(scope);
      if (changed.length === 0) return;
      const key = keyOf(ws, scope);
      const fields: Record<string, string> = {};
      const sent: [Delivery, string][] = [];
      for (const [rel, d] of cache.entries(scope)) {
        if (!changed.includes(rel)) continue;
        const honesty = honestyOf(d);
        if (shared.get(d) === honesty) continue;
        sent.push([d, honesty]);
        fields[rel] = toStored(d);
      }
      if (Object.keys(fields).length === 0) return;
      try {
        const ttl = link.config.readStateTtlSec;
        const replies = await link.run('read state', (c) =>
          c.multi().hSet(key, fields).hIncrBy(key, SEQ, 1).expire(key, ttl).exec(),
        );
        const seq = Number(replies[1]);
        remember(key, seq === (seen.get(key) ?? 0) + 1 ? seq : -1);
        for (const [d, honesty] of sent) shared.set(d, honesty);
      } catch (err) {
        remember(key, -1);
        onFailure(err);
      }
    },
  };
}
