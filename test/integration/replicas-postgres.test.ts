import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { type ReplicaSet, startReplicas } from '../helpers/replicas.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';

interface Ack {
  text: string;
  revision: number;
  requestId: string;
  replica: string;
}

/** One `ctx_session` finding through `url`: an Ack when answered 200, else what came back. */
async function writeFinding(
  url: string,
  replica: string,
  secret: string,
  channelId: string,
  agent: string,
  text: string,
): Promise<Ack | { status: number; error: string }> {
  let res: Response;
  try {
    res = await fetch(`${url}/v1/tools/call`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${secret}`,
        'content-type': 'application/json',
        'x-leanctx-agent': agent,
      },
      body: JSON.stringify({ name: 'ctx_session', arguments: { action: 'finding', value: text }, channelId }),
    });
  } catch (err) {
    return { status: 0, error: String(err) }; // never answered: not acknowledged
  }
  const body = (await res.json().catch(() => ({}))) as {
    result?: { content: { text?: string }[] };
    error_code?: string;
  };
  const revision = /\(rev (\d+)\)/.exec(body.result?.content[0]?.text ?? '')?.[1];
  if (res.status !== 200 || revision === undefined) {
    return { status: res.status, error: body.error_code ?? JSON.stringify(body).slice(0, 200) };
  }
  return { text, revision: Number(revision), requestId: res.headers.get('x-request-id') ?? '', replica };
}

const isAck = (r: Ack | { status: number }): r is Ack => 'revision' in r;

async function exportSession(url: string, secret: string, channelId: string) {
  const res = await fetch(`${url}/v1/tools/call`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'ctx_session', arguments: { action: 'export' }, channelId }),
  });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { result: { content: { text: string }[] } };
  return JSON.parse(body.result.content[0]?.text ?? '{}') as {
    revision: number;
    content: { entries: { text: string }[] };
  };
}

/** Every audit line the replicas wrote, parsed; a torn line fails the parse. */
function auditLines(set: ReplicaSet): { requestId: string; tool: string | null; status: number }[] {
  const lines: { requestId: string; tool: string | null; status: number }[] = [];
  for (const r of set.replicas) {
    const file = join(set.dir, 'audit.replicas', `${r.id}.jsonl`);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line) lines.push(JSON.parse(line));
    }
  }
  return lines;
}

describe('three `lean-ctx team serve` replicas on PostgreSQL and Redis', () => {
  let db: TestDatabase;
  let set: ReplicaSet;
  let secret: string;
  before(async () => {
    db = await withTestDatabase();
    set = await startReplicas({
      count: 3,
      redisUrl: REDIS_URL,
      // 50 writers queue on one session row: in PostgreSQL's lock, not for a pool connection
      store: { store: { kind: 'postgres', url: db.url, maxConnections: 20 } },
      tokens: ['writer'],
      config: { maxRps: 1_000_000, rateBurst: 1_000_000, maxConcurrency: 256 },
    });
    secret = set.tokens.writer as string;
  });
  after(async () => {
    await set?.close();
    await db?.drop();
  });

  test('50 concurrent session writers spread over the replicas lose no update', async () => {
    const WRITERS = 50;
    const EACH = 4;
    const acks = (
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, w) => {
          const mine: Ack[] = [];
          for (let n = 0; n < EACH; n++) {
            // each write of a writer lands on another replica than its last
            const r = set.replicas[(w + n) % set.replicas.length]!;
            const text = `writer ${w} finding ${n}`;
            // 503 store_unavailable is "not applied, try again" (an overloaded machine)
            let answer = await writeFinding(r.url, r.id, secret, 'fifty', `w${w}`, text);
            for (let retry = 0; !isAck(answer) && answer.status === 503 && retry < 5; retry++) {
              await new Promise((done) => setTimeout(done, 500));
              answer = await writeFinding(r.url, r.id, secret, 'fifty', `w${w}`, text);
            }
            assert.ok(isAck(answer), `${text} through ${r.id}: ${JSON.stringify(answer)}`);
            mine.push(answer);
          }
          return mine;
        }),
      )
    ).flat();
    const revisions = acks.map((a) => a.revision).sort((x, y) => x - y);
    assert.deepEqual(
      revisions,
      revisions.map((_, i) => i + 1),
      'each write got its own revision, 1..200',
    );
    for (const r of set.replicas) {
      const session = await exportSession(r.url, secret, 'fifty');
      assert.equal(session.revision, WRITERS * EACH, `${r.id} sees the final revision`);
      const texts = session.content.entries.map((e) => e.text).sort();
      assert.deepEqual(texts, acks.map((a) => a.text).sort(), `${r.id} holds every finding once`);
    }
  });

  test('a replica killed with SIGKILL under load loses no acknowledged write and no audit line', async () => {
    const channel = 'killed';
    const victim = set.replicas[2]!;
    const acks: Ack[] = [];
    let killed = false;
    let stop = false;
    const alive = () => (killed ? set.replicas.filter((r) => r !== victim) : set.replicas);
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const pool = alive();
        const r = pool[(w + n) % pool.length]!;
        const answer = await writeFinding(r.url, r.id, secret, channel, `k${w}`, `killer ${w} write ${n}`);
        if (isAck(answer)) acks.push(answer);
      }
    };
    const writers = Array.from({ length: 12 }, (_, w) => writer(w));
    const until = async (cond: () => boolean) => {
      const deadline = Date.now() + 60_000;
      while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(cond(), 'the load reached its mark within 60 s');
    };
    await until(() => acks.filter((a) => a.replica === victim.id).length >= 20);
    await victim.process.kill('SIGKILL');
    killed = true;
    const ackedAtKill = acks.length;
    await until(() => acks.length >= ackedAtKill + 60);
    stop = true;
    await Promise.all(writers);

    const byVictim = acks.filter((a) => a.replica === victim.id);
    assert.ok(byVictim.length >= 20, `${victim.id} acknowledged writes before it died`);
    const session = await exportSession(set.replicas[0]!.url, secret, channel);
    const stored = new Set(session.content.entries.map((e) => e.text));
    const lost = acks.filter((a) => !stored.has(a.text));
    assert.deepEqual(lost, [], 'every acknowledged finding is in the session');
    assert.equal(new Set(acks.map((a) => a.revision)).size, acks.length, 'no revision was handed out twice');

    const lines = auditLines(set);
    const audited = new Map<string, number>();
    for (const l of lines) audited.set(l.requestId, (audited.get(l.requestId) ?? 0) + 1);
    const unaudited = acks.filter((a) => audited.get(a.requestId) !== 1);
    assert.ok(
      acks.every((a) => a.requestId !== ''),
      'every answer names its request id (x-request-id)',
    );
    assert.deepEqual(unaudited, [], 'every acknowledged call has exactly one audit line');
  });
});
