import type { Store } from '../types.ts';
import type { WorkflowGate, WorkflowStore } from '../workflows.ts';
import { defineLua, type RedisLink } from './redis-link.ts';

/** The Redis key of a workspace's workflow generation. */
export const workflowGenerationKey = (link: RedisLink, workspaceId: string) =>
  `${link.prefix}wfgen:${workspaceId}`;

/**
 * `generation(key)` in Lua: the key's value, first set from Redis's clock in microseconds.
 * A Redis that lost its data starts again from a value no replica has cached a gate under.
 */
export const GENERATION_LUA = `
local function generation(key)
  local g = redis.call('GET', key)
  if g then return g end
  local t = redis.call('TIME')
  g = t[1] .. string.format('%06d', tonumber(t[2]))
  redis.call('SET', key, g)
  return g
end
`;

const BUMP = defineLua(`${GENERATION_LUA}
generation(KEYS[1])
return redis.call('INCR', KEYS[1])
`);

/** A bump not made is retried this often until it is. */
const RETRY_MS = 1000;
/** Gates cached per replica; past this the cache starts over. */
const MAX_CACHED = 10_000;
/**
 * A cached gate is read again after this long whatever the generation says: it bounds the one
 * case no generation covers — a writer whose bump Redis did not take dies before its retry,
 * while this replica never saw Redis fail.
 */
export const GATE_MAX_AGE_MS = 30_000;

interface Cached {
  generation: string;
  gate: WorkflowGate | undefined;
  /** performance.now() when it was read from the store. */
  readAt: number;
}

/**
 * The store with its workflow gate cached under the workspace's generation in Redis: each
 * workflow write bumps it after its commit, and a gate asked for at the generation it was
 * read at is answered from the cache. Asked without one (Redis did not answer, a nested
 * call), the gate is read from the store: never a stale allow.
 *
 * Writes made while Redis is away cannot bump: a bump Redis did not take is retried every
 * second (until it lands this replica reads that workspace's gates from the store), and a
 * gate cached before this replica last saw Redis fail (the generation admission reports
 * carries the link's failure count) or reconnect is read again, and any gate older than
 * GATE_MAX_AGE_MS is.
 */
export function withWorkflowGenerations(
  store: Store,
  link: RedisLink,
  onFailure: (err: unknown) => void,
  maxAgeMs = GATE_MAX_AGE_MS,
): Store {
  const inner = store.workflows;
  const cache = new Map<string, Cached>();
  const owed = new Set<string>();
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  const keyOf = (ws: string, scope: string) => `${ws}\u0000${scope}`;
  link.onReconnect(() => cache.clear());

  const bump = async (ws: string): Promise<boolean> => {
    try {
      await link.eval(BUMP, [workflowGenerationKey(link, ws)], []);
      owed.delete(ws);
      return true;
    } catch (err) {
      owed.add(ws);
      onFailure(err);
      return false;
    }
  };
  const retryOwed = () => {
    retry = undefined;
    if (closed || owed.size === 0) return;
    void Promise.all([...owed].map(bump)).then(() => {
      if (owed.size > 0 && !retry && !closed) schedule();
    });
  };
  const schedule = () => {
    retry = setTimeout(retryOwed, RETRY_MS);
    retry.unref();
  };
  const written = async (ws: string, scope: string) => {
    cache.delete(keyOf(ws, scope));
    if (!(await bump(ws)) && !retry) schedule();
  };

  const workflows: WorkflowStore = {
    async gate(ws, scope, generation) {
      if (generation === undefined || owed.has(ws)) return inner.gate(ws, scope);
      const key = keyOf(ws, scope);
      const hit = cache.get(key);
      if (hit?.generation === generation && performance.now() - hit.readAt < maxAgeMs) return hit.gate;
      const readAt = performance.now();
      const gate = await inner.gate(ws, scope);
      if (cache.size >= MAX_CACHED && !cache.has(key)) cache.clear();
      cache.set(key, { generation, gate, readAt });
      return gate;
    },
    get: (ws, scope) => inner.get(ws, scope),
    async start(run) {
      const started = await inner.start(run);
      await written(run.workspaceId, run.scope);
      return started;
    },
    async update(ws, scope, change) {
      const run = await inner.update(ws, scope, change);
      if (run) await written(ws, scope);
      return run;
    },
    async stop(ws, scope) {
      const run = await inner.stop(ws, scope);
      if (run) await written(ws, scope);
      return run;
    },
  };
  return {
    ...store,
    workflows,
    async close() {
      closed = true;
      clearTimeout(retry);
      await store.close();
    },
  };
}
