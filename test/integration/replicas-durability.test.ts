import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { type ReplicaSet, startReplicas } from '../helpers/replicas.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { type Frame, readFrames } from '../helpers/sse.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

interface Answer {
  status: number;
  requestId: string | null;
  text: string;
}

interface AuditLine {
  requestId: string;
  tokenId: string | null;
  tool: string | null;
  allowed: boolean;
  status: number;
}

/** Every line of a replica's audit file, each checked to parse (a killed replica leaves only whole lines). */
function auditLines(path: string): AuditLine[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text === '' || text.endsWith('\n'), `${path} ends with a whole line`);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      try {
        return JSON.parse(line) as AuditLine;
      } catch {
        return assert.fail(`${path} line ${i + 1} does not parse: ${line.slice(0, 200)}`);
      }
    });
}

describe('three replicas on PostgreSQL and Redis behind a round-robin proxy: no write or audit line lost', () => {
  let db: TestDatabase;
  let set: ReplicaSet;
  let proxy: RoundRobinProxy;
  let sql: pg.Pool;
  before(async () => {
    db = await withTestDatabase();
    sql = new pg.Pool({ connectionString: db.url, max: 2 });
    // an idle connection cut by the server (the database dropped with FORCE) must not end the test process
    sql.on('error', () => undefined);
    set = await startReplicas({
      count: 3,
      redisUrl: REDIS_URL,
      store: { dataDir: 'data', store: { kind: 'postgres', url: db.url } },
      ownDataDirs: true,
      tokens: ['writer', 'reader', 'loader'],
      config: { maxRps: 100_000, rateBurst: 100_000, maxConcurrency: 128 },
    });
    proxy = await startRoundRobinProxy(set.replicas.map((r) => r.url));
  });
  after(async () => {
    await proxy?.close();
    await set?.close();
    await sql?.end();
    await db?.drop();
  });

  async function call(
    url: string,
    as: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const res = await fetch(`${url}/v1/tools/call`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${set.tokens[as]}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    }).catch((err: Error) => {
      const tails = set.replicas.map((r) => `${r.id}: ${r.process.stderr().slice(-600)}`).join('\n');
      throw new Error(`${url} failed: ${String(err.cause ?? err)}\n${tails}`);
    });
    return { status: res.status, requestId: res.headers.get('x-request-id'), text: await res.text() };
  }

  test('fifty concurrent session writers spread over the replicas lose no update; a subscriber on one replica sees every revision once, in order', async () => {
    const channel = 'fifty-replicas';
    const writers = 50;
    const writes = 4;
    const total = writers * writes;
    const [a] = set.replicas;
    const stream = await fetch(`${a?.url}/v1/events?channelId=${channel}&since=0`, {
      headers: { authorization: `Bearer ${set.tokens.reader}` },
    });
    assert.equal(stream.status, 200);
    const mutations = (frames: Frame[]) => frames.filter((f) => f.event === 'session_mutated');
    const watching = readFrames(stream, (f) => mutations(f).length >= total);

    const before = proxy.log.length;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < writes; i++) {
          const r = await call(
            proxy.url,
            'writer',
            {
              name: 'ctx_session',
              arguments: { action: 'finding', value: `writer ${w} note ${i}` },
              channelId: channel,
            },
            { 'x-leanctx-agent': `agent-${w}` },
          );
          assert.equal(r.status, 200, r.text);
        }
      }),
    );
    assert.equal(new Set(proxy.log.slice(before)).size, 3, 'the writes reached all three replicas');

    // The final state, read through another replica, holds every write.
    const exported = await call(set.replicas[1]?.url as string, 'reader', {
      name: 'ctx_session',
      arguments: { action: 'export' },
      channelId: channel,
    });
    assert.equal(exported.status, 200, exported.text);
    const session = JSON.parse(
      (JSON.parse(exported.text) as { result: { content: { text: string }[] } }).result.content[0]?.text ??
        '{}',
    ) as { revision: number; content: { entries: { text: string }[] } };
    assert.equal(session.revision, total, 'final revision = writers × writes');
    const texts = new Set(session.content.entries.map((e) => e.text));
    for (let w = 0; w < writers; w++) {
      for (let i = 0; i < writes; i++)
        assert.ok(texts.has(`writer ${w} note ${i}`), `writer ${w} note ${i} kept`);
    }

    // In the database: one entry per write, revisions 1..total, each once.
    const rows = await sql.query<{ revision: string }>(
      `SELECT revision FROM session_entries WHERE channel_id = $1 ORDER BY revision`,
      [channel],
    );
    assert.deepEqual(
      rows.rows.map((r) => Number(r.revision)),
      Array.from({ length: total }, (_, i) => i + 1),
      'revisions distinct and gapless',
    );

    // The subscriber on A got every event of the channel (most written through B and C) in order.
    const frames = (await watching).filter((f) => f.event);
    const ids = frames.map((f) => Number(f.id));
    assert.deepEqual(
      ids,
      ids.map((_, i) => i + 1),
      'event ids 1..n in order, none missing or repeated',
    );
    const revisions = mutations(frames).map(
      (f) => (JSON.parse(f.data ?? '{}') as { payload: { sessionRevision: number } }).payload.sessionRevision,
    );
    assert.deepEqual(
      [...revisions].sort((x, y) => x - y),
      Array.from({ length: total }, (_, i) => i + 1),
      'each session revision announced exactly once',
    );
  });

  test('twelve concurrent knowledge writers over the replicas: every 2xx remember is stored, none waits into a 503', async (t) => {
    // each writer supersedes one of three hot keys (shared with three other writers) and adds keys
    // of its own, so the load meets both a key's queue and writes to unrelated keys
    const writers = 12;
    const writes = 8;
    const hot = (w: number) => `hot-${w % 3}`;
    const acked: { key: string; value: string }[] = [];
    const failed: string[] = [];
    const took: number[] = [];
    const before = proxy.log.length;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < writes; i++) {
          const key = i % 2 === 0 ? hot(w) : `own-${w}-${i}`;
          const value = `${randomUUID()} by writer ${w}`;
          const started = performance.now();
          const r = await call(
            proxy.url,
            'writer',
            { name: 'ctx_knowledge', arguments: { action: 'remember', category: 'replicas', key, value } },
            { 'x-leanctx-agent': `agent-${w}` },
          );
          took.push(performance.now() - started);
          if (r.status >= 200 && r.status < 300) acked.push({ key, value });
          else failed.push(`${r.status} ${r.text.slice(0, 300)}`);
        }
      }),
    );
    took.sort((x, y) => x - y);
    const at = (q: number) => Math.round(took[Math.floor(q * (took.length - 1))] ?? 0);
    // reported, not asserted: the latency a reader of the log compares across machines and loads
    t.diagnostic(
      `remember latency ms: p50 ${at(0.5)}, p95 ${at(0.95)}, max ${at(1)} (load ${loadavg()[0]?.toFixed(1)})`,
    );
    assert.deepEqual(
      failed,
      [],
      'no remember answered a non-2xx (a 503 here is a lock wait past the statement timeout)',
    );
    assert.equal(acked.length, writers * writes);
    assert.equal(new Set(proxy.log.slice(before)).size, 3, 'the writes reached all three replicas');

    const { rows } = await sql.query<{
      id: string;
      key: string;
      value: string;
      supersedes: string | null;
      superseded_by: string | null;
      valid_from: string;
    }>(
      `SELECT id, key, value, supersedes, superseded_by, valid_from FROM knowledge_facts
       WHERE category = 'replicas' ORDER BY id`,
    );
    // every acknowledged value is one stored version
    for (const a of acked) {
      const stored = rows.filter((r) => r.key === a.key && r.value === a.value);
      assert.equal(stored.length, 1, `${a.key} = ${a.value} stored once`);
    }
    assert.equal(rows.length, acked.length, 'no version that was not acknowledged');
    // each key's versions form one chain: one latest, each superseding the one before, valid times rising
    for (const key of new Set(acked.map((a) => a.key))) {
      const chain = rows.filter((r) => r.key === key);
      assert.equal(chain.filter((r) => r.superseded_by === null).length, 1, `${key} has one current version`);
      chain.forEach((r, i) => {
        const prev = chain[i - 1];
        const next = chain[i + 1];
        assert.equal(
          r.supersedes === null ? null : Number(r.supersedes),
          prev ? Number(prev.id) : null,
          `${key} #${i}`,
        );
        assert.equal(
          r.superseded_by === null ? null : Number(r.superseded_by),
          next ? Number(next.id) : null,
          `${key} #${i}`,
        );
        if (prev) assert.ok(r.valid_from > prev.valid_from, `${key} #${i} valid from after its predecessor`);
      });
    }
    for (let k = 0; k < 3; k++) {
      assert.equal(
        rows.filter((r) => r.key === `hot-${k}`).length,
        (writers / 3) * (writes / 2),
        `hot-${k} versions`,
      );
    }

    // read through one replica, a hot key's newest version is its chain's last
    const last = rows.filter((r) => r.key === 'hot-0').at(-1);
    const got = await call(set.replicas[0]?.url as string, 'reader', {
      name: 'ctx_knowledge',
      arguments: { action: 'timeline', category: 'replicas', key: 'hot-0', limit: 1, format: 'json' },
    });
    assert.equal(got.status, 200, got.text);
    assert.ok(last && got.text.includes(last.value.split(' ')[0] as string), got.text.slice(0, 400));
  });

  test('a replica killed with SIGKILL under load loses no acknowledged write and no audit line', async () => {
    const victim = set.replicas[2] as ReplicaSet['replicas'][number];
    // each worker writes session findings to a channel of its own, so the load meets no lock queue
    const acked: { channel: string; text: string; requestId: string }[] = [];
    const refused: number[] = [];
    let stop = false;
    const worker = async (w: number) => {
      const channel = `kill-${w}`;
      for (let i = 0; !stop; i++) {
        const text = `worker ${w} finding ${i}`;
        const r = await call(proxy.url, 'loader', {
          name: 'ctx_session',
          arguments: { action: 'finding', value: text },
          channelId: channel,
        }).catch(() => undefined);
        if (r === undefined) continue;
        if (r.status >= 200 && r.status < 300) {
          assert.ok(r.requestId, 'a 2xx answer names its request id');
          acked.push({ channel, text, requestId: r.requestId });
        } else refused.push(r.status);
      }
    };
    const workers = Array.from({ length: 12 }, (_, w) => worker(w));
    // Kill once writes are landing on every replica at once.
    while (acked.length < 150) await new Promise((r) => setTimeout(r, 10));
    const ackedBeforeKill = acked.length;
    await victim.process.kill('SIGKILL');
    // keep the load on for a while with the dead replica still in the rotation (502s), then take it out
    const target = ackedBeforeKill + 60;
    while (acked.length < target) await new Promise((r) => setTimeout(r, 10));
    proxy.setUpstreams(set.replicas.filter((r) => r !== victim).map((r) => r.url));
    const more = acked.length + 30;
    while (acked.length < more) await new Promise((r) => setTimeout(r, 10));
    stop = true;
    await Promise.all(workers);
    assert.ok(refused.length > 0, 'some calls met the dead replica (the kill happened under load)');
    for (const s of refused) assert.equal(s, 502, `a call failed with ${s}, not the proxy's 502`);

    // Every acknowledged write is in the store (no channel reached the 200 findings it keeps).
    for (let w = 0; w < 12; w++) assert.ok(acked.filter((a) => a.channel === `kill-${w}`).length < 200);
    const rows = await sql.query<{ channel_id: string; text: string }>(
      `SELECT channel_id, text FROM session_entries WHERE channel_id LIKE 'kill-%'`,
    );
    const stored = new Set(rows.rows.map((r) => `${r.channel_id}\n${r.text}`));
    const lost = acked.filter((a) => !stored.has(`${a.channel}\n${a.text}`)).map((a) => a.text);
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes missing`);

    // Every acknowledged call has exactly one audit line, in the file of the replica that answered.
    const byRequest = new Map<string, { replica: string; line: AuditLine }[]>();
    const perReplica: Record<string, number> = {};
    for (const r of set.replicas) {
      const lines = auditLines(r.auditPath);
      for (const line of lines) {
        const seen = byRequest.get(line.requestId) ?? [];
        seen.push({ replica: r.id, line });
        byRequest.set(line.requestId, seen);
      }
      perReplica[r.id] = 0;
    }
    for (const a of acked) {
      const found = byRequest.get(a.requestId) ?? [];
      assert.equal(found.length, 1, `request ${a.requestId} (${a.text}) has ${found.length} audit lines`);
      const [{ replica, line }] = found as [{ replica: string; line: AuditLine }];
      assert.deepEqual(
        [line.tool, line.tokenId, line.allowed, line.status],
        ['ctx_session', 'loader', true, 200],
        `audit line of ${a.text}`,
      );
      perReplica[replica] = (perReplica[replica] ?? 0) + 1;
    }
    assert.ok(
      (perReplica[victim.id] ?? 0) > 0,
      `the killed replica had acknowledged writes before it died: ${JSON.stringify(perReplica)}`,
    );
  });
});
