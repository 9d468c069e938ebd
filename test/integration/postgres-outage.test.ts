import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startThrowawayCluster, type ThrowawayCluster } from '../helpers/pg-cluster.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const REQUEST_TIMEOUT_MS = 4000;
const PASSWORD = 'pw-never-shown';

interface Answer {
  status: number;
  ms: number;
  body: Record<string, unknown>;
  text: string;
  retryAfter: string | null;
}

async function timed(res: () => Promise<Response>): Promise<Answer> {
  const started = performance.now();
  const r = await res();
  const text = await r.text();
  const ms = performance.now() - started;
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // /health is plain text
  }
  return { status: r.status, ms, body, text, retryAfter: r.headers.get('retry-after') };
}

describe('PostgreSQL down or stalled under a running team server', () => {
  let cluster: ThrowawayCluster;
  let srv: RunningTestServer;
  before(async () => {
    cluster = await startThrowawayCluster();
    srv = await startTestServer({
      config: {
        store: { kind: 'postgres', url: cluster.url(PASSWORD) },
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      },
    });
  });
  after(async () => {
    await srv?.close();
    await cluster?.destroy();
  });

  const remember = (key: string, value: string) =>
    timed(() =>
      callTool(srv, 'alice', {
        name: 'ctx_knowledge',
        arguments: { action: 'remember', category: 'ops', key, value },
      }),
    );
  const recall = (query: string) =>
    timed(() => callTool(srv, 'alice', { name: 'ctx_knowledge', arguments: { action: 'recall', query } }));
  const healthz = () => timed(() => srv.request('/healthz'));
  const health = () => timed(() => srv.request('/health'));

  /** The answer while PostgreSQL is unavailable: 503 store_unavailable, before the request timeout, no secret. */
  const assertUnavailable = (a: Answer, what: string) => {
    assert.equal(a.status, 503, `${what}: ${a.text}`);
    assert.equal(a.body.error_code, 'store_unavailable', what);
    assert.equal(a.body.dependency, 'postgres', what);
    assert.equal(a.retryAfter, '1', `${what}: Retry-After`);
    assert.ok(a.ms < REQUEST_TIMEOUT_MS, `${what} answered in ${Math.round(a.ms)} ms, past requestTimeoutMs`);
    assert.match(String(a.body.error), /PostgreSQL at 127\.0\.0\.1:\d+\/postgres is unavailable/);
    assert.ok(!a.text.includes(PASSWORD), 'the password never reaches a client');
  };

  test('while PostgreSQL answers, calls succeed and /healthz lists it as ok', async () => {
    const r = await remember('deploy-day', 'deploys happen on Tuesdays');
    assert.equal(r.status, 200, r.text);
    const h = await healthz();
    assert.equal(h.status, 200, h.text);
    assert.equal(h.body.status, 'ok');
    assert.equal((h.body.dependencies as Record<string, { ok: boolean }>).postgres?.ok, true);
  });

  test('PostgreSQL stopped: 503 store_unavailable fast, /healthz names postgres, /health stays 200; back by itself after restart', async () => {
    await cluster.stop();
    assertUnavailable(await remember('release', 'fridays are frozen'), 'a write');
    assertUnavailable(await recall('deploys'), 'a read');
    const h = await healthz();
    assert.equal(h.status, 503, h.text);
    assert.equal(h.body.error_code, 'store_unavailable');
    const pgHealth = (h.body.dependencies as Record<string, { ok: boolean; error?: string }>).postgres;
    assert.equal(pgHealth?.ok, false);
    assert.match(pgHealth?.error ?? '', /PostgreSQL at .* is unavailable/);
    assert.ok(!h.text.includes(PASSWORD));
    const live = await health();
    assert.deepEqual([live.status, live.text.trim()], [200, 'ok']);

    await cluster.start();
    const back = await recall('deploys');
    assert.equal(back.status, 200, back.text);
    assert.match(back.text, /Tuesdays/, 'the write acknowledged before the outage is there');
    assert.equal((await healthz()).status, 200);
    assert.equal((await remember('release', 'fridays are frozen')).status, 200);
  });

  test('PostgreSQL frozen (SIGSTOP): 503 store_unavailable within requestTimeoutMs, not a hang; thawed, it serves again', async () => {
    cluster.freeze();
    try {
      assertUnavailable(await recall('fridays'), 'a read on a stalled server');
      assertUnavailable(
        await remember('oncall', 'the on-call rota lives in the wiki'),
        'a write on a stalled server',
      );
      const h = await healthz();
      assert.equal(h.status, 503, h.text);
      assert.ok(h.ms < REQUEST_TIMEOUT_MS, `/healthz took ${Math.round(h.ms)} ms`);
      assert.equal((await health()).status, 200);
    } finally {
      cluster.thaw();
    }
    let again: Answer | undefined;
    // connections broken by the freeze are dropped; the first calls may still meet one
    for (let i = 0; i < 10; i++) {
      again = await recall('fridays');
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(again?.status, 200, again?.text);
    assert.match(again?.text ?? '', /frozen/);
  });
});
