import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { createClient } from 'redis';
import { ADMIN_DATABASE_URL } from '../helpers/postgres.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

async function benchDatabases(): Promise<string[]> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database');
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
}

async function redisKeys(prefix: string): Promise<number> {
  const client = createClient({ url: 'redis://127.0.0.1:6379' });
  await client.connect();
  try {
    let n = 0;
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) n += keys.length;
    return n;
  } finally {
    await client.close();
  }
}

test('bench/replicas.ts --smoke exits 0 with the three targets, cross-replica delivery and no MCP session error, and leaves no database or Redis key behind', async () => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'bench/replicas.ts', '--smoke'], {
    cwd: root,
    timeout: 240_000,
    killSignal: 'SIGTERM',
  });
  assert.match(stdout, /^\| target \| req\/s \| p50 ms \| p99 ms \| leanctx CPU µs\/call \|/m);
  assert.match(stdout, /^\| one process, SQLite \| [\d,]+ \|/m);
  assert.match(
    stdout,
    /^\| one replica, PostgreSQL \+ Redis \| [\d,]+ \|.*CPU\/call ≤ 1\.3× SQLite: [\d.]+× (met|MISSED) \|$/m,
  );
  assert.match(
    stdout,
    /^\| three replicas, PostgreSQL \+ Redis \| [\d,]+ \|.*one replica: [\d.]+× (met|MISSED) \|$/m,
  );
  // every acknowledged write reached the subscriber on the other replica, in order
  assert.match(
    stdout,
    /^\| SSE on r1, findings written through r2 and r3 \| [1-9]\d* \| [\d,]+ \| 0 \| 0 \|/m,
  );
  assert.match(stdout, /MCP session errors across replicas: 0 in \d+ requests/);
  const database = /database (leanctx_t_[0-9a-f]+)/.exec(stdout)?.[1];
  const prefix = /Redis key prefix (\S+)/.exec(stdout)?.[1];
  assert.ok(database && prefix, 'the bench names its database and key prefix');
  assert.ok(!(await benchDatabases()).includes(database), `database ${database} was dropped`);
  assert.equal(await redisKeys(prefix), 0, `no key under ${prefix} is left`);
});
