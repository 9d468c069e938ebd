import pg from 'pg';
import { AppError } from '../../errors.ts';

export interface PgPoolOptions {
  /** `postgres://user:pass@host:port/db`; the password never appears in an error or a log. */
  url: string;
  /** The server cancels a statement running longer than this; the client gives up a little later. */
  statementTimeoutMs?: number;
  /** Opening a connection, or waiting for a free one, fails after this. */
  connectTimeoutMs?: number;
  maxConnections?: number;
  /** Told when an idle connection breaks (PostgreSQL restarted): the pool opens a new one on demand. */
  onIdleError?: (err: Error) => void;
}

/** A query on the pool or on one transaction's connection: rows out. */
export type PgQuery = <R extends pg.QueryResultRow = pg.QueryResultRow>(
  sql: string,
  params?: unknown[],
) => Promise<R[]>;

/** A pool whose every failure to reach PostgreSQL is `store_unavailable`, naming where it looked. */
export interface PgDatabase {
  readonly pool: pg.Pool;
  /** `host:port/database`, without user or password. */
  readonly target: string;
  readonly query: PgQuery;
  /** Runs `fn` inside BEGIN … COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  /**
   * One statement, atomic on its own (no BEGIN/COMMIT round trips); rows out. Safe to run again
   * (`safeToRetry`) when it never got a connection, or when PostgreSQL answered with a lock or
   * timeout error (the statement was rolled back); never when the connection went mid-statement,
   * as its implicit commit may have happened.
   */
  write<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]>;
  /** One round trip (`SELECT 1`); throws `store_unavailable` when it fails. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** int8 (COUNT, SUM, bigserial) and numeric as JS numbers: every figure the stores return fits. */
const NUMERIC_TYPES = new Set<number>([pg.types.builtins.INT8, pg.types.builtins.NUMERIC]);
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    NUMERIC_TYPES.has(oid)
      ? Number
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOENT', // a unix socket path that does not exist
]);
/** SQLSTATEs that say "the server is not there for you now", not "your SQL is wrong". */
const UNAVAILABLE_STATES = new Set([
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '57014', // query_canceled (statement_timeout)
  '53300', // too_many_connections
  '3D000', // the database does not exist
  '28P01', // password authentication failed
  '28000', // no pg_hba.conf entry
]);
const CLIENT_SIDE_FAILURES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /query read timeout/i,
  /not queryable/i,
  /connection (?:error|closed)/i,
];

/** Whether an error means PostgreSQL could not be reached or did not answer in time. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08'))
  )
    return true;
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  return CLIENT_SIDE_FAILURES.some((re) => re.test(err.message));
}

/** `host:port/database` of a URL, without credentials; the URL's scheme and shape are checked by config. */
export function describeTarget(url: string): string {
  try {
    const u = new URL(url);
    const socketHost = u.searchParams.get('host');
    const host = u.hostname || socketHost || 'localhost';
    return `${host}:${u.port || '5432'}${u.pathname || '/'}`;
  } catch {
    return '(an unparsable URL)';
  }
}

/** The AppError a failure to reach PostgreSQL becomes; other errors pass through unchanged. */
export function toStoreError(err: unknown, target: string): unknown {
  if (err instanceof AppError || !isUnavailable(err)) return err;
  const reason =
    err instanceof Error ? err.message.split('\n')[0]?.replace(/postgres(?:ql)?:\/\/\S+/gi, '…') : '';
  return new AppError(
    'store_unavailable',
    `PostgreSQL at ${target} is unavailable (${reason || 'no answer'}); check that it is running and reachable and that store.url / LEANCTX_DATABASE_URL point at it — the server reconnects by itself once it answers`,
    { dependency: 'postgres', retryAfter: 1 },
  );
}

/** Failures of a transaction that never got a connection: nothing of it reached the database. */
const neverStartedFailures = new WeakSet<object>();

/** Whether `err` failed a transaction before any of its statements was sent (safe to run again). */
export function failedBeforeStart(err: unknown): boolean {
  return typeof err === 'object' && err !== null && neverStartedFailures.has(err);
}

/** SQLSTATEs of a statement that may pass when run again: lock waits and the statement timeout. */
const TRANSIENT_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
]);
/** Transient failures before a COMMIT was sent, or of one statement PostgreSQL rolled back: nothing committed. */
const rolledBackTransients = new WeakSet<object>();

/**
 * Whether the transaction that threw `err` left nothing behind and may pass if run again: it
 * never got a connection, or it failed before its COMMIT was sent, for a lock, a timeout or a
 * lost connection (PostgreSQL rolls back a transaction whose connection goes). Never a failure
 * of the COMMIT itself, which may or may not have happened.
 */
export function safeToRetry(err: unknown): boolean {
  return failedBeforeStart(err) || (typeof err === 'object' && err !== null && rolledBackTransients.has(err));
}

/** Opens a pool lazily (no connection until the first query), with timeouts on every step. */
export function createPgDatabase(opts: PgPoolOptions): PgDatabase {
  const statementTimeoutMs = opts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  const target = describeTarget(opts.url);
  const maxConnections = opts.maxConnections ?? 10;
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: maxConnections,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    statement_timeout: statementTimeoutMs,
    // a server that stopped answering (SIGSTOP, a dead network) cannot cancel anything itself
    query_timeout: statementTimeoutMs + 1000,
    idle_in_transaction_session_timeout: statementTimeoutMs * 2,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    application_name: 'leanctx',
    types,
  });
  // A connection that breaks while idle must not take the process down; the pool drops it.
  pool.on('error', (err) => opts.onIdleError?.(err));
  // Nor one that breaks while checked out between queries, or after the pool let it go
  // (a socket left half-closed by a stalled server errors later, when the server goes).
  pool.on('connect', (client) => client.on('error', () => undefined));
  const fail = (err: unknown): never => {
    // a full pool times out like a dead server: say which it was
    if (err instanceof Error && /timeout exceeded when trying to connect/i.test(err.message)) {
      if (pool.totalCount >= maxConnections && pool.idleCount === 0) {
        throw new AppError(
          'store_unavailable',
          `all ${maxConnections} connections to PostgreSQL at ${target} stayed busy past the connect timeout; raise store.maxConnections or lower maxConcurrency`,
          { dependency: 'postgres', retryAfter: 1 },
        );
      }
    }
    throw toStoreError(err, target);
  };

  const checkOut = async (): Promise<pg.PoolClient> => {
    try {
      return await pool.connect();
    } catch (err) {
      try {
        return fail(err);
      } catch (mapped) {
        if (typeof mapped === 'object' && mapped !== null) neverStartedFailures.add(mapped);
        throw mapped;
      }
    }
  };

  return {
    pool,
    target,
    async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      try {
        return (await pool.query<R>(sql, params)).rows;
      } catch (err) {
        return fail(err);
      }
    },
    async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      const client = await checkOut();
      let broken: Error | undefined;
      let committing = false;
      try {
        await client.query('BEGIN');
        const out = await fn(client);
        committing = true;
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        });
        const code = (err as { code?: unknown }).code;
        const transient =
          !committing && ((typeof code === 'string' && TRANSIENT_STATES.has(code)) || isUnavailable(err));
        try {
          return fail(err);
        } catch (mapped) {
          if (transient && typeof mapped === 'object' && mapped !== null) rolledBackTransients.add(mapped);
          throw mapped;
        }
      } finally {
        // a connection whose ROLLBACK failed is not reused
        client.release(broken);
      }
    },
    async write<R extends pg.QueryResultRow>(sql: string, params: unknown[]) {
      const client = await checkOut();
      let broken: Error | undefined;
      try {
        return (await client.query<R>(sql, params)).rows;
      } catch (err) {
        // a statement the server never answered leaves the connection in an unknown state
        if (isUnavailable(err)) broken = err as Error;
        const code = (err as { code?: unknown }).code;
        try {
          return fail(err);
        } catch (mapped) {
          // the server's own error for a lock or a timeout: the statement was rolled back
          if (
            typeof code === 'string' &&
            TRANSIENT_STATES.has(code) &&
            typeof mapped === 'object' &&
            mapped !== null
          )
            rolledBackTransients.add(mapped);
          throw mapped;
        }
      } finally {
        client.release(broken);
      }
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
      } catch (err) {
        fail(err);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
