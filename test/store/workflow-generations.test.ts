import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../src/logger.ts';
import { type Admission, createRedisAdmission } from '../../src/pipeline/admission.ts';
import { createRedisLimiter } from '../../src/ratelimit/shared-limiter.ts';
import { createRedisLink, type RedisLink } from '../../src/store/redis/redis-link.ts';
import { withWorkflowGenerations } from '../../src/store/redis/workflow-generations.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../../src/store/types.ts';
import type { WorkflowSpec } from '../../src/store/workflows.ts';
import { freePort, startRedis, stopRedis } from '../helpers/redis-server.ts';

const READ_ONLY: WorkflowSpec = {
  name: 'read-only',
  initial: 'reading',
  states: { reading: { allowed_tools: ['ctx_read'], transitions: ['writing'], requires_evidence: [] } },
};

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** One replica: its own Redis link, admission and generation-cached store over the shared database. */
interface Replica {
  link: RedisLink;
  admission: Admission;
  store: Store;
  /** Gate reads that reached the database. */
  reads: number;
  failedOpen: number;
  /** The gate a call of this replica sees, after its admission. */
  gate(scope: string): Promise<string | undefined>;
}

describe('workflow gates cached under a Redis generation, across replicas', () => {
  let port: number;
  let redis: ChildProcess;
  const replicas: Replica[] = [];
  let shared: Store;
  before(async () => {
    port = await freePort();
    redis = await startRedis(port);
    shared = createSqliteStore(join(mkdtempSync(join(tmpdir(), 'wfgen-')), 'leanctx.db'));
    for (let i = 0; i < 3; i++) {
      const link = createRedisLink(
        { url: `redis://127.0.0.1:${port}`, keyPrefix: 'wfgen-test:', readStateTtlSec: 60 },
        silentLogger,
      );
      const counted: Store = {
        ...shared,
        workflows: {
          ...shared.workflows,
          gate: (ws, scope) => {
            replica.reads++;
            return shared.workflows.gate(ws, scope);
          },
        },
        close: async () => undefined,
      };
      const replica: Replica = {
        link,
        admission: createRedisAdmission(
          link,
          () => ({ maxRps: 0.001, rateBurst: 1000 }),
          () => {
            replica.failedOpen++;
          },
        ),
        store: withWorkflowGenerations(counted, link, () => undefined),
        reads: 0,
        failedOpen: 0,
        async gate(scope) {
          const admitted = await replica.admission.admit({
            tokenId: 't',
            cost: 1,
            workspaceId: 'main',
            readScope: undefined,
          });
          const gate = await replica.store.workflows.gate('main', scope, admitted.workflowGeneration);
          return gate?.state;
        },
      };
      replicas.push(replica);
    }
    await until('the links', () => replicas.every((r) => r.link.isReady()));
  });
  after(async () => {
    for (const r of replicas) await r.store.close();
    await Promise.all(replicas.map((r) => r.link.close()));
    await shared?.close();
    await stopRedis(redis);
  });

  const start = (r: Replica | Store, scope: string) => {
    const now = new Date().toISOString();
    return ('admission' in r ? r.store : r).workflows.start({
      workspaceId: 'main',
      scope,
      spec: READ_ONLY,
      state: 'reading',
      evidence: {},
      history: [],
      startedBy: 't',
      startedAt: now,
      updatedAt: now,
    });
  };
  const a = () => replicas[0] as Replica;
  const b = () => replicas[1] as Replica;
  const c = () => replicas[2] as Replica;

  test('a cached gate is read again after its max age, though no generation moved (a writer died owing its bump)', async () => {
    const B = b();
    let reads = 0;
    const direct: Store = {
      ...shared,
      workflows: {
        ...shared.workflows,
        gate: (ws, scope) => {
          reads++;
          return shared.workflows.gate(ws, scope);
        },
      },
      close: async () => undefined,
    };
    const aged = withWorkflowGenerations(direct, B.link, () => undefined, 100);
    const gate = async () => {
      const admitted = await B.admission.admit({
        tokenId: 't',
        cost: 1,
        workspaceId: 'main',
        readScope: undefined,
      });
      return (await aged.workflows.gate('main', 'aged', admitted.workflowGeneration))?.state;
    };
    assert.equal(await gate(), undefined);
    assert.equal(await gate(), undefined);
    assert.equal(reads, 1, 'within its age the gate comes from the cache');
    // a write that never bumped the generation: straight into the store, as by a replica that then died
    await start(shared, 'aged');
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await gate(), 'reading', 'past its age the gate is read from the store again');
    assert.equal(reads, 2);
    await aged.close();
  });

  test('a gate is read once per generation; a write through A is seen by the very next call on B', async () => {
    const B = b();
    assert.equal(await B.gate('s1'), undefined);
    const reads = B.reads;
    for (let i = 0; i < 5; i++) assert.equal(await B.gate('s1'), undefined);
    assert.equal(B.reads, reads, 'an unchanged generation is answered from the cache');

    await start(a(), 's1');
    assert.equal(await B.gate('s1'), 'reading', 'the write bumped the generation B reads');
    assert.equal(B.reads, reads + 1);
    await c().store.workflows.update('main', 's1', (run) => ({ ...run, state: 'writing' }));
    assert.equal(await B.gate('s1'), 'writing');
    await a().store.workflows.stop('main', 's1');
    assert.equal(await B.gate('s1'), undefined);
  });

  const generation = async (r: Replica) =>
    (await r.admission.admit({ tokenId: 't', cost: 0, workspaceId: 'main', readScope: undefined }))
      .workflowGeneration;

  test('with Redis stopped every call reads the store (fail closed); a Redis back empty serves no gate cached before', async () => {
    const [A, B] = [a(), b()];
    assert.equal(await B.gate('s2'), undefined, 'B caches "no workflow"');
    await stopRedis(redis);
    await start(A, 's2');
    const reads = B.reads;
    assert.equal(await B.gate('s2'), 'reading', 'the write made while Redis is down is enforced at once');
    assert.equal(await B.gate('s2'), 'reading');
    assert.equal(B.reads, reads + 2, 'without a generation, each call reads the store');
    assert.ok(B.failedOpen >= 2, 'the rate limit failed open meanwhile');

    // the restarted Redis lost every key, A's bump among them
    redis = await startRedis(port);
    await until('the links to reconnect', () => replicas.every((r) => r.link.isReady()));
    assert.equal(await B.gate('s2'), 'reading');
    assert.equal(await c().gate('s2'), 'reading');
    await A.store.workflows.stop('main', 's2');
    assert.equal(await B.gate('s2'), undefined);
  });

  test('with Redis frozen, a write is enforced meanwhile and after the thaw; the owed bump lands by itself', async () => {
    const [A, B, C] = [a(), b(), c()];
    assert.equal(await B.gate('s3'), undefined, 'B caches "no workflow"');
    assert.equal(await C.gate('s3'), undefined, 'so does C');
    const before = await generation(C);
    redis.kill('SIGSTOP');
    try {
      await start(A, 's3');
      assert.equal(await B.gate('s3'), 'reading', 'no answer within the deadline: the store is read');
    } finally {
      redis.kill('SIGCONT');
    }
    // Redis kept its keys; A's bump may not have landed yet
    assert.equal(await B.gate('s3'), 'reading', 'B saw Redis fail: its cached gate is not trusted');
    await until('the owed bump', async () => (await generation(C))?.split('/')[0] !== before?.split('/')[0]);
    assert.equal(await C.gate('s3'), 'reading', 'C, idle during the freeze, sees the bumped generation');
    await A.store.workflows.stop('main', 's3');
  });

  test('admission shares one bucket with the limiter across replicas: exactly the burst passes', async () => {
    const links = replicas.map((r) => r.link);
    const up = () => assert.fail('Redis is up');
    const admissions = links.map((l) =>
      createRedisAdmission(l, () => ({ maxRps: 0.001, rateBurst: 30 }), up),
    );
    const limiter = createRedisLimiter(links[0] as RedisLink, 0.001, 30, up);
    const decisions = await Promise.all(
      Array.from({ length: 90 }, (_, i) =>
        i % 4 === 3
          ? limiter.take('token:shared')
          : (admissions[i % 3] as Admission)
              .admit({ tokenId: 'shared', cost: 1, workspaceId: 'main', readScope: 'ctx' })
              .then((d) => d.rate),
      ),
    );
    assert.equal(decisions.filter((d) => d.ok).length, 30);
    assert.ok(decisions.filter((d) => !d.ok).every((d) => d.retryAfterSec >= 1));
  });
});
