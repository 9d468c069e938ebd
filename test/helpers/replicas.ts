import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { type ServingProcess, startCli } from './cli.ts';
import { makeTree, SAMPLE_FILES } from './team-server.ts';

export interface Replica {
  id: string;
  url: string;
  process: ServingProcess;
  /** The directory its relative paths resolve in: `set.dir`, or its own "host" with `ownDataDirs`. */
  dir: string;
  /** Its data dir (shared by all unless `ownDataDirs`). */
  dataDir: string;
  /** Its audit file (`audit.replicas/<id>.jsonl` under `dir`). */
  auditPath: string;
}

export interface ReplicaSet {
  replicas: Replica[];
  /** Plaintext bearer per token id. */
  tokens: Record<string, string>;
  dir: string;
  root: string;
  keyPrefix: string;
  sessionSecret: string;
  configPath: string;
  close(): Promise<void>;
}

/** A fresh key prefix per run; `deleteKeys` removes what the run wrote. */
export const uniquePrefix = () => `leanctx-t-${randomBytes(6).toString('hex')}:`;

export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const client = createClient({ url: redisUrl });
  await client.connect();
  let n = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) n += await client.del(keys);
    }
  } finally {
    await client.close();
  }
  return n;
}

/**
 * N `lean-ctx team serve` processes sharing one team.json: the same store and Redis, each
 * with its own --replica-id and port. `store` is team.json's storage section as one value
 * (today `{ dataDir }` on SQLite; `{ store: { kind: 'postgres', url } }` once it exists).
 */
export async function startReplicas(opts: {
  count: number;
  redisUrl: string;
  store?: Record<string, unknown>;
  tokens: string[];
  config?: Record<string, unknown>;
  files?: Record<string, string>;
  /**
   * Each replica as on a host of its own (deploy/compose.yaml): it reads the one team.json
   * through a symlink in `<dir>/<id>/`, so the file is shared while its relative paths (data
   * dir, audit file, workspace "ops") resolve in that host directory.
   */
  ownDataDirs?: boolean;
}): Promise<ReplicaSet> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-replicas-'));
  const root = makeTree(opts.files ?? SAMPLE_FILES);
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'notes.txt'), 'readable notes\n');
  const keyPrefix = uniquePrefix();
  const sessionSecret = randomBytes(32).toString('hex');
  const tokens: Record<string, string> = {};
  const tokenEntries = opts.tokens.map((id) => {
    const secret = createTokenSecret(id);
    tokens[id] = secret;
    return { id, sha256Hex: sha256Hex(secret), scopes: [], role: 'admin' };
  });
  const configPath = join(dir, 'team.json');
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        host: '127.0.0.1',
        port: 0,
        auditLogPath: 'audit.jsonl',
        ...(opts.store ?? { dataDir: 'data' }),
        redis: { url: opts.redisUrl, keyPrefix },
        sessionSecret: '${LEANCTX_TEST_SESSION_SECRET}',
        // "ops" is the directory of team.json and the audit files: they must stay unreadable
        workspaces: [
          { id: 'main', root },
          { id: 'ops', root: '.' },
        ],
        tokens: tokenEntries,
        ...opts.config,
      },
      null,
      2,
    ),
  );
  const replicas: Replica[] = [];
  const started = Array.from({ length: opts.count }, (_, i) => {
    const id = `r${i + 1}`;
    let home = dir;
    let config = configPath;
    if (opts.ownDataDirs) {
      home = join(dir, id);
      mkdirSync(join(home, 'data'), { recursive: true });
      writeFileSync(join(home, 'notes.txt'), 'readable notes\n');
      config = join(home, 'team.json');
      symlinkSync(configPath, config);
    }
    const child = startCli(
      ['team', 'serve', '--config', config, '--bind', '127.0.0.1:0', '--replica-id', id],
      {
        cwd: home,
        env: {
          LEANCTX_TEST_SESSION_SECRET: sessionSecret,
          LEANCTX_REDIS_URL: '',
          LEANCTX_SESSION_SECRET: '',
        },
      },
    );
    return { id, child, home };
  });
  try {
    for (const { id, child, home } of started) {
      const out = await child.waitFor(/Team Server - [^\n]*:(\d+)/, 180_000);
      const port = /Team Server - [^\n]*:(\d+)/.exec(out)?.[1];
      replicas.push({
        id,
        url: `http://127.0.0.1:${port}`,
        process: child,
        dir: home,
        dataDir: join(home, 'data'),
        auditPath: join(home, 'audit.replicas', `${id}.jsonl`),
      });
    }
  } catch (err) {
    await Promise.all(started.map((s) => s.child.kill('SIGKILL')));
    throw err;
  }
  return {
    replicas,
    tokens,
    dir,
    root,
    keyPrefix,
    sessionSecret,
    configPath,
    async close() {
      await Promise.all(replicas.map((r) => r.process.kill()));
      await deleteKeys(opts.redisUrl, keyPrefix);
    },
  };
}
