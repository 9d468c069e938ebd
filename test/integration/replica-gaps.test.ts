import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createClient } from 'redis';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { parseTeamConfig, type TeamConfigInput } from '../../src/config/team-config.ts';
import { silentLogger } from '../../src/logger.ts';
import { openTeamServer, type TeamServer } from '../../src/server/team-server.ts';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { freePort } from '../helpers/free-port.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { startRedis, stopRedis } from '../helpers/redis-server.ts';
import { deleteKeys, uniquePrefix } from '../helpers/replicas.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

/** 30 files in one directory: ctx_tree folds them, so its full listing goes to the archive. */
const MANY_FILES: Record<string, string> = {
  ...SAMPLE_FILES,
  ...Object.fromEntries(
    Array.from({ length: 30 }, (_, i) => [`src/many/file${i}.ts`, `export const v${i} = ${i};\n`]),
  ),
};

interface Replica {
  id: string;
  url: string;
  server: TeamServer;
  dataDir: string;
}

interface Pair {
  a: Replica;
  b: Replica;
  token: string;
  auditDir: string;
  close(): Promise<void>;
}

/**
 * Two replicas as in deploy/compose.yaml: one team.json (tokens, session secret, store, Redis
 * prefix), one checkout, an audit directory they share, and a data dir each.
 */
async function startPair(shared: Partial<TeamConfigInput>): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), 'leanctx-gaps-'));
  const root = makeTree(MANY_FILES);
  const token = createTokenSecret('alice');
  mkdirSync(join(dir, 'shared'));
  const replicas: Replica[] = [];
  for (const id of ['a', 'b']) {
    const dataDir = join(dir, id, 'data');
    mkdirSync(dataDir, { recursive: true });
    const raw: TeamConfigInput = {
      host: '127.0.0.1',
      port: 0,
      auditLogPath: join(dir, 'shared', 'audit.jsonl'),
      dataDir,
      workspaces: [{ id: 'main', root }],
      tokens: [{ id: 'alice', sha256Hex: sha256Hex(token), scopes: [], role: 'admin' }],
      sessionSecret: 'replica-gaps-secret-'.repeat(3),
      ...shared,
    };
    const config = parseTeamConfig(raw, dir, join(dir, 'team.json'));
    const server = await openTeamServer({
      config,
      tools: builtinTools(),
      logger: silentLogger,
      replicaId: id,
    });
    const { url } = await server.listen('127.0.0.1', 0);
    replicas.push({ id, url, server, dataDir });
  }
  const [a, b] = replicas as [Replica, Replica];
  return {
    a,
    b,
    token,
    auditDir: join(dir, 'shared', 'audit.replicas'),
    async close() {
      for (const r of replicas) await r.server.close();
    },
  };
}

async function callTool(
  r: Replica,
  token: string,
  name: string,
  args: Record<string, unknown>,
): Promise<{ status: number; text: string; isError: boolean }> {
  const res = await fetch(`${r.url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, arguments: args }),
  });
  const body = (await res.json()) as { result?: { content: { text?: string }[]; isError?: boolean } };
  return {
    status: res.status,
    text: body.result?.content[0]?.text ?? JSON.stringify(body),
    isError: !!body.result?.isError,
  };
}

const INIT = {
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'gaps', version: '1' } },
};

async function mcp(
  r: Replica,
  token: string,
  method: 'POST' | 'DELETE',
  body: unknown,
  sessionId?: string,
): Promise<{ status: number; body: Record<string, unknown>; sessionId: string | null }> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (sessionId) {
    headers['mcp-session-id'] = sessionId;
    headers['mcp-protocol-version'] = '2025-11-25';
  }
  const res = await fetch(`${r.url}/mcp`, {
    method,
    headers,
    ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? JSON.parse(text) : {},
    sessionId: res.headers.get('mcp-session-id'),
  };
}

async function openSession(r: Replica, token: string): Promise<string> {
  const init = await mcp(r, token, 'POST', INIT);
  assert.equal(init.status, 200, JSON.stringify(init.body));
  const id = init.sessionId as string;
  assert.match(id, /^v1\./, 'a sealed id');
  const ack = await mcp(r, token, 'POST', { jsonrpc: '2.0', method: 'notifications/initialized' }, id);
  assert.equal(ack.status, 202);
  return id;
}

const listTools = (r: Replica, token: string, sessionId: string, id = 1) =>
  mcp(r, token, 'POST', { jsonrpc: '2.0', id, method: 'tools/list' }, sessionId);

describe('two replicas on one PostgreSQL database and one Redis prefix, each with its own data dir', () => {
  let db: TestDatabase;
  let pair: Pair;
  const keyPrefix = uniquePrefix();
  before(async () => {
    db = await withTestDatabase();
    pair = await startPair({
      store: { kind: 'postgres', url: db.url },
      redis: { url: REDIS_URL, keyPrefix },
    });
  });
  after(async () => {
    await pair?.close();
    await db?.drop();
    await deleteKeys(REDIS_URL, keyPrefix);
  });

  test('an archive cut through replica A expands through replica B, whose data dir never held it', async () => {
    const tree = await callTool(pair.a, pair.token, 'ctx_tree', { path: '.', depth: 3 });
    assert.equal(tree.status, 200, tree.text);
    const id = /ctx_expand id="([a-f0-9]{16})"/.exec(tree.text)?.[1];
    assert.ok(id, `ctx_tree folded the 30 files and named an archive: ${tree.text}`);
    assert.ok(!tree.text.includes('file29.ts'), 'the folded reply does not list every file');

    const expanded = await callTool(pair.b, pair.token, 'ctx_expand', { id });
    assert.equal(expanded.isError, false, expanded.text);
    for (let i = 0; i < 30; i++)
      assert.ok(expanded.text.includes(`file${i}.ts`), `file${i}.ts in the full text`);
    const bArchives = join(pair.b.dataDir, 'workspaces', 'main', 'archives');
    const bFiles = existsSync(bArchives) ? readdirSync(bArchives) : [];
    assert.ok(
      !bFiles.some((f) => f.startsWith(id)),
      `B's data dir has no copy of ${id}: ${bFiles.join(', ')}`,
    );

    const listed = await callTool(pair.b, pair.token, 'ctx_expand', { action: 'list' });
    assert.match(listed.text, new RegExp(`^${id} ctx_tree`, 'm'), 'B lists the archive A made');

    const unknown = await callTool(pair.b, pair.token, 'ctx_expand', { id: '0123456789abcdef' });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /no archived output with id "0123456789abcdef"/);
  });

  test('DELETE /mcp on replica B ends a session opened on A: both then answer 404 not_found, and Redis keeps the end only while the id lives', async () => {
    const id = await openSession(pair.a, pair.token);
    assert.equal((await listTools(pair.b, pair.token, id)).status, 200, 'B serves the sealed session');

    const del = await mcp(pair.b, pair.token, 'DELETE', undefined, id);
    assert.equal(del.status, 200, JSON.stringify(del.body));
    for (const r of [pair.a, pair.b]) {
      const after = await listTools(r, pair.token, id, 2);
      assert.equal(after.status, 404, `${r.id}: ${JSON.stringify(after.body)}`);
      assert.equal(after.body.error_code, 'not_found');
      assert.match(String(after.body.error), /ended with DELETE \/mcp; send a new initialize request/);
    }

    const redis = createClient({ url: REDIS_URL });
    await redis.connect();
    try {
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `${keyPrefix}mcp:ended:*` })) keys.push(...batch);
      assert.equal(keys.length, 1, 'one key per ended id');
      assert.ok(!keys[0]?.includes(id), 'the key holds a hash, not the usable id');
      const ttl = await redis.pTTL(keys[0] as string);
      assert.ok(ttl > 0 && ttl <= 86_400_000, `TTL is the id's remaining life (${ttl} ms)`);
    } finally {
      await redis.close();
    }

    // the other way round: ended on the replica holding its transport, refused on the other
    const fresh = await openSession(pair.b, pair.token);
    assert.equal((await listTools(pair.a, pair.token, fresh, 3)).status, 200, 'a new session is unaffected');
    assert.equal((await mcp(pair.b, pair.token, 'DELETE', undefined, fresh)).status, 200);
    const onA = await listTools(pair.a, pair.token, fresh, 4);
    assert.equal(onA.status, 404, JSON.stringify(onA.body));
    assert.equal(onA.body.error_code, 'not_found');
  });

  test('GET /v1/audit on either replica shows the calls both answered, in time order', async () => {
    const marker = `audit-${randomBytes(4).toString('hex')}`;
    assert.equal((await callTool(pair.a, pair.token, 'ctx_search', { pattern: `${marker}-a` })).status, 200);
    assert.equal((await callTool(pair.b, pair.token, 'ctx_search', { pattern: `${marker}-b` })).status, 200);
    assert.deepEqual(readdirSync(pair.auditDir).sort(), ['a.jsonl', 'b.jsonl']);
    for (const r of [pair.a, pair.b]) {
      const res = await fetch(`${r.url}/v1/audit?limit=1000`, {
        headers: { authorization: `Bearer ${pair.token}` },
      });
      assert.equal(res.status, 200);
      const { entries } = (await res.json()) as {
        entries: { ts: string; tool?: string; argsSha256?: string }[];
      };
      const searches = entries.filter((e) => e.tool === 'ctx_search');
      assert.equal(searches.length, 2, `${r.id} sees both replicas' searches: ${JSON.stringify(searches)}`);
      const ts = entries.map((e) => e.ts);
      assert.deepEqual(ts, [...ts].sort(), 'merged by ts');
    }
  });
});

describe('ending an MCP session while Redis is down', () => {
  let redis: ChildProcess;
  let pair: Pair;
  before(async () => {
    const port = await freePort();
    redis = await startRedis(port);
    pair = await startPair({ redis: { url: `redis://127.0.0.1:${port}`, keyPrefix: 'gaps:' } });
  });
  after(async () => {
    await pair?.close();
    await stopRedis(redis);
  });

  test('DELETE answers 503 store_unavailable naming Redis; that replica refuses the id, the other still serves it', async () => {
    const id = await openSession(pair.a, pair.token);
    assert.equal((await listTools(pair.b, pair.token, id)).status, 200);
    await stopRedis(redis);

    const del = await mcp(pair.b, pair.token, 'DELETE', undefined, id);
    assert.equal(del.status, 503, JSON.stringify(del.body));
    assert.equal(del.body.error_code, 'store_unavailable');
    assert.match(
      String(del.body.error),
      /Redis did not record its end.*send DELETE \/mcp again when Redis is back/,
    );

    const onB = await listTools(pair.b, pair.token, id, 2);
    assert.equal(onB.status, 404, 'B remembers the end it could not share');
    assert.equal(onB.body.error_code, 'not_found');
    // fail open: the id grants nothing the bearer token does not, so A keeps serving it
    assert.equal((await listTools(pair.a, pair.token, id, 3)).status, 200);
  });
});
