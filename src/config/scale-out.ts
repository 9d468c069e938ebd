import { z } from 'zod';

/** team.json `redis`: where replicas share rate buckets, read state and event wake-ups. */
export const redisSchema = z.strictObject({
  url: z.string().min(1, 'give a redis:// URL'),
  /** Every key this server writes starts with it: one Redis can hold several teams (or test runs). */
  keyPrefix: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9:._-]*$/, 'use letters, digits, ":", ".", "_" or "-"')
    .default('leanctx:'),
  /** How long a context's read state (what it was sent) is kept after its last read. */
  readStateTtlSec: z.number().int().positive().default(86_400),
});

export interface RedisConfig {
  url: string;
  keyPrefix: string;
  readStateTtlSec: number;
}

/** The scale-out part of a validated team.json, environment applied. */
export interface ScaleOut {
  redis: RedisConfig | undefined;
  /** Signs MCP session ids; undefined: sessions live in the process that opened them. */
  sessionSecret: string | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const VAR_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `${VAR}` from the environment; an unset one is a problem naming it. */
function expand(value: string, key: string, env: Env, problems: string[]): string {
  return value.replace(VAR_REF, (_m, name: string) => {
    const v = env[name];
    if (v === undefined)
      problems.push(`${key}: environment variable ${name} is not set; export it or write the value`);
    return v ?? '';
  });
}

/** A session secret shorter than this is refused: it is the only thing between a guess and a session. */
const MIN_SECRET_CHARS = 32;

/**
 * LEANCTX_REDIS_URL and LEANCTX_SESSION_SECRET win over team.json, so N replicas can share one
 * file and take their secrets from the environment.
 */
export function resolveScaleOut(
  cfg: { redis?: z.output<typeof redisSchema> | undefined; sessionSecret?: string | undefined },
  env: Env,
  problems: string[],
): ScaleOut & { notices: string[] } {
  const notices: string[] = [];
  const url = env.LEANCTX_REDIS_URL || (cfg.redis && expand(cfg.redis.url, 'redis.url', env, problems));
  let redis: RedisConfig | undefined;
  if (url) {
    if (!/^rediss?:\/\//.test(url)) problems.push('redis.url: must start with redis:// or rediss://');
    redis = Object.freeze({
      url,
      keyPrefix: cfg.redis?.keyPrefix ?? 'leanctx:',
      readStateTtlSec: cfg.redis?.readStateTtlSec ?? 86_400,
    });
  }
  const secret =
    env.LEANCTX_SESSION_SECRET ||
    (cfg.sessionSecret !== undefined ? expand(cfg.sessionSecret, 'sessionSecret', env, problems) : undefined);
  if (secret !== undefined && secret.length < MIN_SECRET_CHARS) {
    problems.push(
      `sessionSecret: ${secret.length} characters is too short; use at least ${MIN_SECRET_CHARS} (e.g. \`openssl rand -hex 32\`)`,
    );
  }
  if (redis && !secret) {
    notices.push(
      'redis is set but sessionSecret is not: an MCP session is served only by the replica that opened it; set sessionSecret (or LEANCTX_SESSION_SECRET) so any replica can',
    );
  }
  return { redis, sessionSecret: secret || undefined, notices };
}
