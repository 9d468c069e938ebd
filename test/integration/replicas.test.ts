import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { sealSession } from '../../src/mcp/session-seal.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { type ReplicaSet, startReplicas } from '../helpers/replicas.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { type Frame, readFrames } from '../helpers/sse.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
/**
 * The store section of the replicas' shared team.json, as one value: a PostgreSQL database of
 * this run's own. Each replica keeps its own data dir (`ownDataDirs`), as on separate hosts.
 */
const STORE = (db: TestDatabase): Record<string, unknown> => ({
  dataDir: 'data',
  store: { kind: 'postgres', url: db.url },
});
/** Each token may spend this many requests in all (the refill is negligible over a test). */
const BURST = 100;

const bearer = (set: ReplicaSet, id: string) => ({ authorization: `Bearer ${set.tokens[id]}` });

async function call(
  url: string,
  set: ReplicaSet,
  as: string,
  body: Record<string, unknown>,
): Promise<{ status: number; text: string; cached: unknown; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { ...bearer(set, as), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown> & {
    result?: { content: { text?: string }[]; structuredContent?: Record<string, unknown> };
  };
  return {
    status: res.status,
    text: json.result?.content[0]?.text ?? '',
    cached: json.result?.structuredContent?.cached,
    body: json,
  };
}

/** Runs the jobs eight at a time, each worker taking the next job when its last one settles. */
async function runEightAtATime(queue: (() => Promise<void>)[]): Promise<void> {
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let job = queue.pop(); job; job = queue.pop()) await job();
    }),
  );
}

/** Three bursts' worth of requests were sent: about one burst passed (within 5%), the rest got 429. */
function assertWithinBurst(ok: number, limited: number): void {
  assert.equal(ok + limited, 3 * BURST);
  assert.ok(
    Math.abs(ok - BURST) <= BURST * 0.05,
    `${ok} of ${3 * BURST} requests passed; the limit is ${BURST}`,
  );
}

describe('three `lean-ctx team serve` replicas behind a round-robin proxy, on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let set: ReplicaSet;
  let proxy: RoundRobinProxy;
  before(async () => {
    db = await withTestDatabase();
    set = await startReplicas({
      count: 3,
      redisUrl: REDIS_URL,
      store: STORE(db),
      ownDataDirs: true,
      tokens: ['alice', 'bob', 'reader', 'writer', 'limited', 'carol', 'dave', 'caller'],
      config: { maxRps: 0.001, rateBurst: BURST, maxConcurrency: 64 },
    });
    proxy = await startRoundRobinProxy(set.replicas.map((r) => r.url));
  });
  after(async () => {
    await proxy?.close();
    await set?.close();
    await db?.drop();
  });

  test('an MCP SDK client whose every request lands on another replica sees 0 session errors', async () => {
    const errors: unknown[] = [];
    const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
      requestInit: { headers: bearer(set, 'alice') },
    });
    const client = new Client({ name: 'replica-test', version: '1' });
    client.onerror = (err) => errors.push(err);
    const before = proxy.log.length;
    await client.connect(transport);
    assert.match(transport.sessionId ?? '', /^v1\./, 'the session id is sealed');
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'ctx_read'));
    const texts: string[] = [];
    for (let i = 0; i < 9; i++) {
      const r = await client.callTool({
        name: 'ctx_read',
        arguments: { path: 'src/index.ts', mode: 'full' },
      });
      assert.notEqual(r.isError, true, JSON.stringify(r));
      texts.push((r.content as { text: string }[])[0]?.text ?? '');
    }
    // The first read sends the file; every later one, on whichever replica, knows it was sent.
    assert.match(texts[0] ?? '', /return 42/);
    for (const t of texts.slice(1)) assert.doesNotMatch(t, /return 42/, `a re-read is a stub: ${t}`);
    await client.close();
    const hit = new Set(proxy.log.slice(before));
    assert.equal(hit.size, 3, 'requests reached all three replicas');
    assert.deepEqual(errors.map(String), [], 'no session or transport errors');
  });

  test('a context that read a file on replica A gets a stub on B; another context gets the full content', async () => {
    const [a, b] = set.replicas;
    const read = { name: 'ctx_read', arguments: { path: 'src/util.ts', mode: 'full' } };
    const first = await call(a?.url as string, set, 'bob', { ...read, contextId: 'ctx-one' });
    assert.equal(first.status, 200);
    assert.match(first.text, /export const add/);
    const again = await call(b?.url as string, set, 'bob', { ...read, contextId: 'ctx-one' });
    assert.equal(again.status, 200);
    assert.doesNotMatch(again.text, /export const add/, `B knows the context holds it: ${again.text}`);
    assert.match(again.text, /unchanged|F1/i);
    const other = await call(b?.url as string, set, 'bob', { ...read, contextId: 'ctx-two' });
    assert.match(other.text, /export const add/, 'a context that was never sent it gets it in full');
  });

  test('a forged, expired or replayed session id is refused with not_found', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(`${proxy.url}/mcp`), {
      requestInit: { headers: bearer(set, 'carol') },
    });
    const client = new Client({ name: 'victim', version: '1' });
    await client.connect(transport);
    const sessionId = transport.sessionId as string;
    const list = { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} };
    const post = async (as: string, id: string, url = proxy.url) => {
      const res = await fetch(`${url}/mcp`, {
        method: 'POST',
        headers: {
          ...bearer(set, as),
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-session-id': id,
          'mcp-protocol-version': '2025-11-25',
        },
        body: JSON.stringify(list),
      });
      return { status: res.status, body: (await res.json()) as { error_code?: string; error?: string } };
    };
    // the owner may use it on every replica
    for (const r of set.replicas) assert.equal((await post('carol', sessionId, r.url)).status, 200);
    // replayed with another valid token, on every replica (the one holding it too)
    for (const r of set.replicas) {
      const replayed = await post('bob', sessionId, r.url);
      assert.equal(replayed.status, 404);
      assert.equal(replayed.body.error_code, 'not_found');
    }
    const [head = '', payload = '', sig = ''] = sessionId.split('.');
    const tampered = `${head}.${payload.slice(0, -2)}${payload.endsWith('A') ? 'B' : 'A'}${payload.slice(-1)}.${sig}`;
    const forged = await post('carol', tampered);
    assert.equal(forged.status, 404);
    assert.equal(forged.body.error_code, 'not_found');
    assert.match(forged.body.error ?? '', /signature/);
    const otherKey = sealSession('x'.repeat(64), {
      tokenId: 'carol',
      credential: 'c',
      contextId: 'x',
      protocolVersion: '2025-11-25',
      clientName: 'c',
      expiresAt: Date.now() + 60_000,
    });
    assert.equal((await post('carol', otherKey)).body.error_code, 'not_found');
    const expired = sealSession(set.sessionSecret, {
      tokenId: 'carol',
      credential: 'c',
      contextId: 'x',
      protocolVersion: '2025-11-25',
      clientName: 'c',
      expiresAt: Date.now() - 1000,
    });
    const late = await post('carol', expired);
    assert.equal(late.status, 404);
    assert.match(late.body.error ?? '', /expired/);
    await client.close();
  });

  test('an SSE subscriber on A gets every event written through B and C in order, and resumes on B after A is killed', async () => {
    const [a, b, c] = set.replicas as [
      (typeof set.replicas)[0],
      (typeof set.replicas)[0],
      (typeof set.replicas)[0],
    ];
    const channel = 'fanout';
    const res = await fetch(`${a.url}/v1/events?channelId=${channel}&since=0`, {
      headers: bearer(set, 'reader'),
    });
    assert.equal(res.status, 200);
    const WRITES = 20;
    const writes = (async () => {
      // wait until the stream is open, then write from B and C alternately, some at once
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < WRITES; i += 2) {
        await Promise.all([
          call(b.url, set, 'writer', { name: 'ctx_tree', channelId: channel }),
          call(c.url, set, 'writer', { name: 'ctx_tree', channelId: channel }),
        ]);
      }
    })();
    const calls = (fs: Frame[]) => fs.filter((f) => f.event === 'tool_call_recorded').length;
    const frames = (await readFrames(res, (fs) => calls(fs) >= WRITES)).filter((f) => f.event);
    await writes;
    const ids = frames.map((f) => Number(f.id));
    assert.equal(calls(frames), WRITES);
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      'revisions 1..n, in order, none missing or repeated',
    );
    const lastSeen = ids.at(-1) as number;

    await a.process.kill('SIGKILL');
    proxy.setUpstreams([b.url, c.url]);
    for (let i = 0; i < 4; i++) await call(c.url, set, 'writer', { name: 'ctx_tree', channelId: channel });
    const resumed = await fetch(`${b.url}/v1/events?channelId=${channel}`, {
      headers: { ...bearer(set, 'reader'), 'last-event-id': String(lastSeen) },
    });
    const more = (await readFrames(resumed, (fs) => calls(fs) >= 4)).filter((f) => f.event);
    const moreIds = more.map((f) => Number(f.id));
    assert.equal(moreIds[0], lastSeen + 1, 'resumes right after the last event seen');
    assert.deepEqual(
      moreIds,
      moreIds.map((_, i) => lastSeen + 1 + i),
    );
  });

  test("a token's rate limit holds within 5% across the replicas", async () => {
    let ok = 0;
    let limited = 0;
    const one = async () => {
      const res = await fetch(`${proxy.url}/v1/tools`, { headers: bearer(set, 'limited') });
      await res.arrayBuffer();
      if (res.status === 200) ok++;
      else if (res.status === 429) limited++;
      else assert.fail(`unexpected status ${res.status}`);
    };
    const queue = Array.from({ length: 3 * BURST }, () => one);
    await runEightAtATime(queue);
    assertWithinBurst(ok, limited);
  });

  test("a token's tool calls and other requests spend one bucket across the replicas", async () => {
    let ok = 0;
    let limited = 0;
    const one = (i: number) => async () => {
      const res =
        i % 2 === 0
          ? await fetch(`${proxy.url}/v1/tools/call`, {
              method: 'POST',
              headers: { ...bearer(set, 'caller'), 'content-type': 'application/json' },
              body: JSON.stringify({ name: 'ctx_read', arguments: { path: 'src/util.ts' }, contextId: 'rl' }),
            })
          : await fetch(`${proxy.url}/v1/tools`, { headers: bearer(set, 'caller') });
      const body = (await res.json()) as { error_code?: string };
      if (res.status === 200) ok++;
      else if (res.status === 429) {
        limited++;
        assert.equal(body.error_code, 'rate_limited');
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
      } else assert.fail(`unexpected status ${res.status}`);
    };
    const queue = Array.from({ length: 3 * BURST }, (_, i) => one(i));
    await runEightAtATime(queue);
    assertWithinBurst(ok, limited);
  });

  test('a workflow started or moved through one replica is enforced on the very next call through another', async () => {
    // r1 was killed by the SSE test: r3 writes, r2 reads
    const writer = set.replicas[2]?.url as string;
    const reader = set.replicas[1]?.url as string;
    const search = { name: 'ctx_search', arguments: { pattern: 'main' }, contextId: 'wf' };
    const workflow = async (args: Record<string, unknown>) => {
      const r = await call(writer, set, 'dave', {
        name: 'ctx_workflow',
        arguments: args,
        contextId: 'wf',
      });
      assert.notEqual((r.body.result as { isError?: boolean } | undefined)?.isError, true, r.text);
      return r;
    };
    const spec = {
      name: 'read-only',
      initial: 'reading',
      states: {
        reading: {
          allowed_tools: ['ctx_read', 'ctx_workflow'],
          transitions: ['writing'],
          requires_evidence: [],
        },
      },
    };
    // the reader has read (and may cache) the gate of a context running no workflow
    for (let i = 0; i < 3; i++) assert.equal((await call(reader, set, 'dave', search)).status, 200);
    assert.equal((await workflow({ action: 'start', spec })).status, 200);
    const denied = await call(reader, set, 'dave', search);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.error_code, 'workflow_denied');
    assert.equal((await call(reader, set, 'dave', search)).status, 403);
    assert.equal((await workflow({ action: 'transition', to: 'writing' })).status, 200);
    assert.equal((await call(reader, set, 'dave', search)).status, 200, 'the next state allows it');
    assert.equal((await workflow({ action: 'start', spec })).status, 200);
    assert.equal((await call(reader, set, 'dave', search)).status, 403, 'started again: refused again');
    assert.equal((await workflow({ action: 'stop' })).status, 200);
    assert.equal((await call(reader, set, 'dave', search)).status, 200);
  });

  test('/v1/metrics names the replica, and each replica audits to its own file', async () => {
    const b = set.replicas[1];
    const res = await fetch(`${b?.url}/v1/metrics?format=prometheus`, {
      headers: { ...bearer(set, 'bob'), accept: 'text/plain' },
    });
    const text = await res.text();
    assert.match(text, /leanctx_http_requests_total\{[^}]*replica="r2"/);
    const { readdirSync } = await import('node:fs');
    for (const r of set.replicas) {
      const files = readdirSync(join(r.dir, 'audit.replicas'));
      assert.deepEqual(files, [`${r.id}.jsonl`], `${r.id} writes only its own file`);
      assert.ok(!readdirSync(r.dir).includes('audit.jsonl'), 'no replica writes the shared name');
      assert.ok(!readdirSync(r.dataDir).includes('leanctx.db'), `${r.id} keeps its state in PostgreSQL`);
    }
  });

  test("no replica's audit file is readable through a workspace that contains it", async () => {
    const b = set.replicas[1]?.url as string;
    const read = (path: string) =>
      call(b, set, 'bob', { name: 'ctx_read', workspaceId: 'ops', arguments: { path, mode: 'full' } });
    assert.match((await read('notes.txt')).text, /readable notes/, 'the workspace itself is readable');
    // r2's own audit file lies inside its "ops" workspace; r3's is on another host
    for (const path of ['audit.replicas/r2.jsonl', '../r3/audit.replicas/r3.jsonl']) {
      const answer = await read(path);
      assert.doesNotMatch(JSON.stringify(answer.body), /argumentsMd5/, `${path} stays unread`);
    }
  });
});
