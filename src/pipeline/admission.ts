import { READ_STATE_SEQ, readStateKey } from '../engine/read/shared-read-state.ts';
import {
  bucketKey,
  PASS,
  type SharedRateLimiter,
  TAKE_BUCKET_LUA,
  toDecision,
} from '../ratelimit/shared-limiter.ts';
import type { RateDecision } from '../ratelimit/token-bucket.ts';
import { defineLua, type RedisLink } from '../store/redis/redis-link.ts';
import { GENERATION_LUA, workflowGenerationKey } from '../store/redis/workflow-generations.ts';

/** What a tool call asks of the shared state before it runs. */
export interface AdmissionRequest {
  tokenId: string;
  /** Tokens of the token's rate bucket the call spends; 0 when its request already paid (MCP). */
  cost: number;
  /** The workspace whose workflow generation the gate needs; undefined for none. */
  workspaceId: string | undefined;
  /** The read-state scope the call will pull (see contextScope); undefined for none. */
  readScope: string | undefined;
}

export interface Admitted {
  rate: RateDecision;
  /**
   * The workspace's workflow generation as this replica knows it (Redis's value, then the
   * link's failure count, so a value read again after an outage never matches a gate cached
   * before it); undefined when not known: the gate reads the store.
   */
  workflowGeneration: string | undefined;
  /** The sequence number of the context's read state; undefined when not asked or not known. */
  readStateSeq: number | undefined;
}

/** The per-call admission: rate bucket, workflow generation and read-state sequence. */
export interface Admission {
  admit(req: AdmissionRequest): Promise<Admitted>;
}

const UNKNOWN: Admitted = Object.freeze({
  rate: PASS,
  workflowGeneration: undefined,
  readStateSeq: undefined,
});

/** In one process: the in-process limiter; the store stays the gate's authority. */
export function createLocalAdmission(limiter: SharedRateLimiter): Admission {
  return {
    async admit(req) {
      if (req.cost === 0) return UNKNOWN;
      return { ...UNKNOWN, rate: await limiter.take(`token:${req.tokenId}`, req.cost) };
    },
  };
}

/**
 * KEYS: the token's bucket, then the generation key and the read-state hash when asked.
 * ARGV: rate, capacity, cost, then '1' for each of the two asked.
 */
const ADMIT = defineLua(`${TAKE_BUCKET_LUA}${GENERATION_LUA}
local cost = tonumber(ARGV[3])
if cost > 0 then
  local ok, wait = take(KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), cost)
  if ok == 0 then return {0, wait} end
end
local i = 2
local gen = false
if ARGV[4] == '1' then
  gen = generation(KEYS[i])
  i = i + 1
end
local seq = false
if ARGV[5] == '1' then seq = redis.call('HGET', KEYS[i], '${READ_STATE_SEQ}') end
return {1, 0, gen, seq}
`);

/**
 * One script run per call: it takes the token's bucket and reads the workspace's workflow
 * generation and the context's read-state sequence number. When Redis does not answer, the
 * call passes its rate limit (fail open, reported to `failedOpen`) and learns no generation
 * or sequence: the gate reads the store, the read state is read (or forgotten) as without it.
 */
export function createRedisAdmission(
  link: RedisLink,
  limits: () => { maxRps: number; rateBurst: number },
  failedOpen: (err: unknown) => void,
): Admission {
  return {
    async admit(req) {
      const { maxRps, rateBurst } = limits();
      const keys = [bucketKey(link, `token:${req.tokenId}`)];
      if (req.workspaceId !== undefined) keys.push(workflowGenerationKey(link, req.workspaceId));
      if (req.workspaceId !== undefined && req.readScope !== undefined)
        keys.push(readStateKey(link, req.workspaceId, req.readScope));
      const args = [maxRps, rateBurst, req.cost, keys.length > 1 ? 1 : 0, keys.length > 2 ? 1 : 0];
      const failures = link.failureCount();
      let reply: unknown[];
      try {
        reply = (await link.eval(ADMIT, keys, args)) as unknown[];
      } catch (err) {
        if (req.cost > 0) failedOpen(err);
        return UNKNOWN;
      }
      if (reply[0] !== 1) return { ...UNKNOWN, rate: toDecision(reply[0], reply[1]) };
      return {
        rate: PASS,
        workflowGeneration: typeof reply[2] === 'string' ? `${reply[2]}/${failures}` : undefined,
        readStateSeq: keys.length > 2 ? Number(reply[3] ?? 0) : undefined,
      };
    },
  };
}
