import { z } from 'zod';
import { type Env, expandValue } from './servers-expand.ts';

/** team.json `store`: where the server keeps events, usage, sessions, knowledge and budgets. */
export const storeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sqlite') }),
  z.strictObject({
    kind: z.literal('postgres'),
    /** `postgres://user:pass@host:5432/db`; `${VAR}` and `{file:/path}` are expanded. Default: LEANCTX_DATABASE_URL. */
    url: z.string().min(1).optional(),
    /** PostgreSQL cancels a statement running longer than this. */
    statementTimeoutMs: z.number().int().positive().optional(),
    /** Opening a connection, or waiting for a free one, fails after this. */
    connectTimeoutMs: z.number().int().positive().optional(),
    /** Connections of this process's pool. */
    maxConnections: z.number().int().min(1).max(1000).default(10),
  }),
]);

export type StoreConfig =
  | { readonly kind: 'sqlite' }
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly statementTimeoutMs: number;
      readonly connectTimeoutMs: number;
      readonly maxConnections: number;
    };

/** The environment variable a PostgreSQL URL may come from instead of team.json. */
export const DATABASE_URL_ENV = 'LEANCTX_DATABASE_URL';

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*:)[^@]*@/i, '$1***@');
}

/**
 * The store in force: `store` from team.json, else PostgreSQL when LEANCTX_DATABASE_URL is
 * set, else SQLite. Timeouts default to a third of `requestTimeoutMs` (at most 10 s and 5 s),
 * so a store that is down or stalled answers 503 before the request times out.
 */
export function resolveStoreConfig(
  raw: z.output<typeof storeSchema> | undefined,
  env: Env,
  requestTimeoutMs: number,
  problems: string[],
): StoreConfig {
  const fromEnv = env[DATABASE_URL_ENV];
  if (raw?.kind === 'sqlite' || (raw === undefined && !fromEnv)) return { kind: 'sqlite' };
  const given = raw?.url ?? fromEnv;
  if (!given) {
    problems.push(
      `store.url: give the PostgreSQL URL (postgres://user:pass@host:5432/db) or set ${DATABASE_URL_ENV}`,
    );
    return { kind: 'sqlite' };
  }
  let url = given;
  try {
    url = expandValue(given, env);
  } catch (err) {
    problems.push(`store.url: ${(err as Error).message}`);
  }
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  const from = raw?.url ? 'store.url' : DATABASE_URL_ENV;
  if (!parsed || !/^postgres(?:ql)?:$/.test(parsed.protocol)) {
    problems.push(`${from}: "${redactUrl(url)}" is not a postgres:// or postgresql:// URL`);
  }
  const third = Math.max(1, Math.floor(requestTimeoutMs / 3));
  const statementTimeoutMs = raw?.statementTimeoutMs ?? Math.min(10_000, third);
  const connectTimeoutMs = raw?.connectTimeoutMs ?? Math.min(5_000, third);
  for (const [key, value] of [
    ['statementTimeoutMs', statementTimeoutMs],
    ['connectTimeoutMs', connectTimeoutMs],
  ] as const) {
    if (value >= requestTimeoutMs) {
      problems.push(
        `store.${key}: ${value} is not below requestTimeoutMs (${requestTimeoutMs}); lower it so a stalled database answers 503 before the request times out`,
      );
    }
  }
  return Object.freeze({
    kind: 'postgres',
    url,
    statementTimeoutMs,
    connectTimeoutMs,
    maxConnections: raw?.maxConnections ?? 10,
  });
}
