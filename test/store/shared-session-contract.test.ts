// One contract for the shared-session stores, run against SQLite and PostgreSQL: the same
// calls must give the same answers, and concurrent writers on separate connections must lose
// no update on either.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { workflowScope } from '../../src/sessions/workflow-spec.ts';
import { sharedSessionsMigration } from '../../src/store/postgres/migrations/002-shared-sessions.ts';
import { createPgSharedSessionStores } from '../../src/store/postgres/shared-session-stores.ts';
import type { SharedSessionStores } from '../../src/store/shared-session-stores.ts';
import { createSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';

/** The server every PostgreSQL run makes its own database on (trust auth, see the README). */
const PG_SERVER_URL = 'postgres://127.0.0.1:5432/test';

/** The server URL on `database`; a URL without a user would leave pg to $USER, which a CI job may not set. */
function pgUrl(database: string): string {
  const url = new URL(PG_SERVER_URL);
  url.username ||= process.env.PGUSER ?? process.env.USER ?? 'postgres';
  url.pathname = `/${database}`;
  return url.href;
}

interface Connection {
  stores: SharedSessionStores;
  close(): Promise<void>;
}

/** A fresh, empty database; `connect` opens one more independent connection to it. */
interface TestDatabase {
  /** What another process opens it by: a SQLite file or a postgres:// URL. */
  target: string;
  connect(): Promise<Connection>;
  drop(): Promise<void>;
}

interface Backend {
  name: string;
  create(): Promise<TestDatabase>;
}

const sqlite: Backend = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'leanctx-contract-'));
    const file = join(dir, 'leanctx.db');
    return {
      target: file,
      async connect() {
        const store = createSqliteStore(file);
        return { stores: store, close: () => store.close() };
      },
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** Runs one statement on the server's `test` database (CREATE/DROP DATABASE cannot run in the one they name). */
async function onServer(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: pgUrl('test') });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const postgres: Backend = {
  name: 'postgres',
  async create() {
    const name = `leanctx_t_${randomBytes(6).toString('hex')}`;
    const url = pgUrl(name);
    const drop = () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await onServer(`CREATE DATABASE ${name}`);
    try {
      const migrate = new pg.Client({ connectionString: url });
      await migrate.connect();
      try {
        await migrate.query(sharedSessionsMigration.sql);
      } finally {
        await migrate.end();
      }
    } catch (err) {
      await drop();
      throw err;
    }
    return {
      target: url,
      async connect() {
        const pool = new pg.Pool({ connectionString: url, max: 4 });
        return { stores: createPgSharedSessionStores(pool), close: () => pool.end() };
      },
      drop,
    };
  },
};

const run = promisify(execFile);
const WRITER = fileURLToPath(new URL('../helpers/shared-session-writer.ts', import.meta.url));

let wsCounter = 0;
/** Each test writes to its own workspace, so tests share one database and stay apart. */
const freshWorkspace = () => `ws${++wsCounter}_${randomBytes(3).toString('hex')}`;
const iso = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute)).toISOString();

for (const backend of [sqlite, postgres]) {
  describe(`shared-session stores on ${backend.name}`, () => {
    let db: TestDatabase;
    let conn: Connection;
    let s: SharedSessionStores;
    before(async () => {
      db = await backend.create();
      conn = await db.connect();
      s = conn.stores;
    });
    after(async () => {
      await conn?.close();
      await db?.drop();
    });

    describe('sessions', () => {
      test('a channel nobody wrote to is revision 0 and empty', async () => {
        const state = await s.sessions.get(freshWorkspace(), 'main');
        assert.equal(state.revision, 0);
        assert.equal(state.task, undefined);
        assert.deepEqual(state.entries, []);
        assert.equal(state.updatedAt, undefined);
        assert.equal(state.updatedBy, undefined);
      });

      test('each change bumps the revision by one and the state shows task and entries in order', async () => {
        const ws = freshWorkspace();
        const w1 = await s.sessions.apply(ws, 'c', 'alice', { kind: 'task', text: 'fix the parser' });
        const w2 = await s.sessions.apply(ws, 'c', 'bob', {
          kind: 'finding',
          text: 'off by one',
          file: 'src/a.ts',
          line: 12,
        });
        const w3 = await s.sessions.apply(ws, 'c', 'alice', { kind: 'decision', text: 'rewrite it' });
        assert.deepEqual([w1.revision, w2.revision, w3.revision], [1, 2, 3]);
        assert.equal(w1.savedAs, undefined);
        const state = await s.sessions.get(ws, 'c');
        assert.equal(state.revision, 3);
        assert.equal(state.updatedBy, 'alice');
        assert.equal(state.updatedAt, w3.ts);
        assert.deepEqual(state.task, { text: 'fix the parser', agent: 'alice', ts: w1.ts, revision: 1 });
        assert.deepEqual(state.entries, [
          {
            revision: 2,
            kind: 'finding',
            text: 'off by one',
            agent: 'bob',
            ts: w2.ts,
            file: 'src/a.ts',
            line: 12,
          },
          { revision: 3, kind: 'decision', text: 'rewrite it', agent: 'alice', ts: w3.ts },
        ]);
        assert.equal((await s.sessions.get(ws, 'other')).revision, 0, 'channels are apart');
      });

      test('a kind keeps its newest entries past its retention, other kinds untouched', async () => {
        const ws = freshWorkspace();
        await s.sessions.apply(ws, 'c', 'a', { kind: 'decision', text: 'keep me' });
        for (let i = 0; i < 53; i++) await s.sessions.apply(ws, 'c', 'a', { kind: 'intent', text: `i${i}` });
        const state = await s.sessions.get(ws, 'c');
        assert.equal(state.revision, 54);
        const intents = state.entries.filter((e) => e.kind === 'intent').map((e) => e.text);
        assert.deepEqual(
          intents,
          Array.from({ length: 50 }, (_, i) => `i${i + 3}`),
        );
        assert.deepEqual(
          state.entries.filter((e) => e.kind === 'decision').map((e) => e.text),
          ['keep me'],
        );
      });

      test('a reset saves the state it clears under channel@revision, then empties the session', async () => {
        const ws = freshWorkspace();
        const t = await s.sessions.apply(ws, 'c', 'a', { kind: 'task', text: 'ship' });
        const f = await s.sessions.apply(ws, 'c', 'a', {
          kind: 'finding',
          text: 'f1',
          file: 'x.ts',
          line: 3,
        });
        const reset = await s.sessions.apply(ws, 'c', 'b', { kind: 'reset' });
        assert.equal(reset.revision, 3);
        assert.equal(reset.savedAs, 'c@2');
        const state = await s.sessions.get(ws, 'c');
        assert.equal(state.revision, 3);
        assert.equal(state.task, undefined);
        assert.deepEqual(state.entries, []);
        const saved = await s.sessions.loadSaved(ws, 'c@2');
        assert.deepEqual(saved, {
          id: 'c@2',
          channelId: 'c',
          revision: 2,
          savedBy: 'b',
          ts: reset.ts,
          task: 'ship',
          entries: 1,
          content: {
            task: { text: 'ship', agent: 'a', ts: t.ts },
            entries: [{ kind: 'finding', text: 'f1', agent: 'a', ts: f.ts, file: 'x.ts', line: 3 }],
          },
        });
        const empty = await s.sessions.apply(ws, 'fresh', 'b', { kind: 'reset' });
        assert.deepEqual([empty.revision, empty.savedAs], [1, 'fresh@0']);
      });

      test('a replace puts the given content at the new revision', async () => {
        const ws = freshWorkspace();
        await s.sessions.apply(ws, 'c', 'a', { kind: 'finding', text: 'old' });
        const w = await s.sessions.apply(ws, 'c', 'r', {
          kind: 'replace',
          content: {
            task: { text: 'restored', agent: 'x', ts: iso(1) },
            entries: [
              { kind: 'checkpoint', text: 'cp', agent: 'x', ts: iso(2) },
              { kind: 'finding', text: 'new', agent: 'y', ts: iso(3), file: 'b.ts' },
            ],
          },
        });
        assert.equal(w.revision, 2);
        const state = await s.sessions.get(ws, 'c');
        assert.deepEqual(state.task, { text: 'restored', agent: 'x', ts: iso(1), revision: 2 });
        assert.deepEqual(state.entries, [
          { revision: 2, kind: 'checkpoint', text: 'cp', agent: 'x', ts: iso(2) },
          { revision: 2, kind: 'finding', text: 'new', agent: 'y', ts: iso(3), file: 'b.ts' },
        ]);
        await s.sessions.apply(ws, 'c', 'r', { kind: 'replace', content: { task: undefined, entries: [] } });
        const cleared = await s.sessions.get(ws, 'c');
        assert.deepEqual([cleared.revision, cleared.task, cleared.entries], [3, undefined, []]);
      });

      test('channels lists the written channels of a workspace by name', async () => {
        const ws = freshWorkspace();
        await s.sessions.apply(ws, 'zeta', 'a', { kind: 'finding', text: 'z' });
        const t = await s.sessions.apply(ws, 'Alpha', 'a', { kind: 'task', text: 'the task' });
        await s.sessions.apply(ws, 'Alpha', 'a', { kind: 'finding', text: 'y' });
        await s.sessions.apply(freshWorkspace(), 'elsewhere', 'a', { kind: 'finding', text: 'n' });
        const channels = await s.sessions.channels(ws);
        assert.deepEqual(
          channels.map((c) => [c.channelId, c.revision, c.task]),
          [
            ['Alpha', 2, 'the task'],
            ['zeta', 1, undefined],
          ],
          'byte order, as SQLite sorts',
        );
        assert.ok((channels[0]?.updatedAt ?? '') >= t.ts);
      });

      test('save keeps a copy under its id, replaces a save of the same id, and old saves can be removed', async () => {
        const ws = freshWorkspace();
        await s.sessions.apply(ws, 'c', 'a', { kind: 'task', text: 'v1' });
        const first = await s.sessions.save(ws, 'c', undefined, 'saver');
        assert.deepEqual(
          { id: first.id, channelId: first.channelId, revision: first.revision, savedBy: first.savedBy },
          { id: 'c@1', channelId: 'c', revision: 1, savedBy: 'saver' },
        );
        assert.deepEqual([first.task, first.entries], ['v1', 0]);
        // saves are ordered by the millisecond they were made in: let one pass between them
        await sleep(3);
        await s.sessions.save(ws, 'c', 'mine', 'saver');
        await s.sessions.apply(ws, 'c', 'a', { kind: 'finding', text: 'more' });
        await sleep(3);
        const again = await s.sessions.save(ws, 'c', 'mine', 'other');
        assert.equal(again.revision, 2);
        assert.equal(again.entries, 1);
        const list = await s.sessions.saved(ws);
        assert.deepEqual(
          list.map((x) => [x.id, x.revision, x.savedBy]),
          [
            ['mine', 2, 'other'],
            ['c@1', 1, 'saver'],
          ],
          'newest first; the second "mine" replaced the first',
        );
        assert.equal((await s.sessions.loadSaved(ws, 'mine'))?.content.entries[0]?.text, 'more');
        assert.equal(await s.sessions.loadSaved(ws, 'nope'), undefined);
        assert.equal(await s.sessions.removeSaved(ws, first.ts), 0, 'only saves strictly older go');
        assert.equal(await s.sessions.removeSaved(ws, again.ts), 1);
        assert.deepEqual(
          (await s.sessions.saved(ws)).map((x) => x.id),
          ['mine'],
        );
      });
    });

    describe('agents', () => {
      const arrival = (ws: string, name: string, ts: string) => ({
        workspaceId: ws,
        channelId: 'c',
        name,
        tokenId: `tok_${name}`,
        ts,
      });

      test('twenty callers racing to announce one agent: exactly one is told it joined', async () => {
        const ws = freshWorkspace();
        const conns = await Promise.all(Array.from({ length: 4 }, () => db.connect()));
        try {
          const joins = await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (conns[i % conns.length] as Connection).stores.agents.arrive(arrival(ws, 'cursor', iso(i))),
            ),
          );
          assert.equal(joins.filter((j) => j.joined).length, 1);
        } finally {
          await Promise.all(conns.map((c) => c.close()));
        }
        assert.equal((await s.agents.arrive(arrival(ws, 'cursor', iso(30)))).joined, false);
        const agent = await s.agents.get(ws, 'c', 'cursor');
        assert.equal(agent?.status, 'active');
        assert.equal(agent?.lastActive, iso(30));
      });

      test('update sets type, role and status; finishing leaves, and the next arrival joins again later', async () => {
        const ws = freshWorkspace();
        await s.agents.arrive(arrival(ws, 'a', iso(1)));
        const u = await s.agents.update(arrival(ws, 'a', iso(2)), { agentType: 'claude', role: 'reviewer' });
        assert.deepEqual([u.joined, u.left], [false, false]);
        assert.deepEqual(u.agent, {
          workspaceId: ws,
          channelId: 'c',
          name: 'a',
          tokenId: 'tok_a',
          agentType: 'claude',
          role: 'reviewer',
          status: 'active',
          joinedAt: iso(1),
          lastActive: iso(2),
        });
        const done = await s.agents.update(arrival(ws, 'a', iso(3)), { status: 'finished' });
        assert.deepEqual(
          [done.joined, done.left, done.agent.status, done.agent.role],
          [false, true, 'finished', 'reviewer'],
        );
        const back = await s.agents.arrive(arrival(ws, 'a', iso(4)));
        assert.equal(back.joined, true);
        assert.equal((await s.agents.get(ws, 'c', 'a'))?.joinedAt, iso(4));
        const fresh = await s.agents.update(arrival(ws, 'new', iso(5)), { status: 'idle' });
        assert.deepEqual(
          [fresh.joined, fresh.agent.status, fresh.agent.agentType],
          [true, 'idle', undefined],
        );
        assert.equal(await s.agents.get(ws, 'c', 'nobody'), undefined);
      });

      test('list shows a channel in join order; present leaves out who left or finished', async () => {
        const ws = freshWorkspace();
        await s.agents.arrive(arrival(ws, 'b', iso(1)));
        await s.agents.arrive(arrival(ws, 'a', iso(1)));
        await s.agents.arrive(arrival(ws, 'c', iso(2)));
        await s.agents.update(arrival(ws, 'c', iso(3)), { status: 'finished' });
        await s.agents.arrive({ ...arrival(ws, 'z', iso(0)), channelId: 'other' });
        assert.deepEqual(
          (await s.agents.list(ws, 'c')).map((a) => a.name),
          ['a', 'b', 'c'],
        );
        assert.deepEqual(
          (await s.agents.list(ws, 'c', { present: true })).map((a) => a.name),
          ['a', 'b'],
        );
      });

      test('expire makes agents idle past the cutoff leave, each announced once', async () => {
        const ws = freshWorkspace();
        // 2001: older than anything another test writes, which expire (over all workspaces) would take too
        await s.agents.arrive(arrival(ws, 'old', '2001-01-01T00:00:00.000Z'));
        await s.agents.arrive(arrival(ws, 'older', '2000-06-01T00:00:00.000Z'));
        await s.agents.arrive(arrival(ws, 'recent', '2001-01-01T00:20:00.000Z'));
        assert.deepEqual(await s.agents.expire('2000-01-01T00:00:00.000Z'), []);
        const left = await Promise.all([
          s.agents.expire('2001-01-01T00:10:00.000Z'),
          s.agents.expire('2001-01-01T00:10:00.000Z'),
        ]);
        assert.deepEqual(
          left
            .flat()
            .map((a) => [a.name, a.status])
            .sort(),
          [
            ['old', 'left'],
            ['older', 'left'],
          ],
        );
        assert.deepEqual(
          (await s.agents.list(ws, 'c', { present: true })).map((a) => a.name),
          ['recent'],
        );
        assert.equal((await s.agents.arrive(arrival(ws, 'old', iso(0)))).joined, true);
      });

      test('inbox gives an agent what was sent to it or to all, not its own, once, in order', async () => {
        const ws = freshWorkspace();
        await s.agents.arrive(arrival(ws, 'reader', iso(0)));
        const m1 = await s.agents.post(ws, {
          channelId: 'c',
          from: 'w',
          to: undefined,
          category: 'finding',
          text: 'to all',
          ts: iso(1),
        });
        await s.agents.post(ws, {
          channelId: 'c',
          from: 'w',
          to: 'someone',
          category: 'request',
          text: 'not yours',
          ts: iso(2),
        });
        await s.agents.post(ws, {
          channelId: 'c',
          from: 'reader',
          to: undefined,
          category: 'status',
          text: 'own',
          ts: iso(3),
        });
        const m4 = await s.agents.post(ws, {
          channelId: 'c',
          from: 'w',
          to: 'reader',
          category: 'handoff',
          text: 'yours',
          ts: iso(4),
        });
        await s.agents.post(ws, {
          channelId: 'other',
          from: 'w',
          to: undefined,
          category: 'warning',
          text: 'elsewhere',
          ts: iso(5),
        });
        assert.ok(m4.id > m1.id);
        assert.deepEqual(m1, {
          channelId: 'c',
          from: 'w',
          to: undefined,
          category: 'finding',
          text: 'to all',
          ts: iso(1),
          id: m1.id,
        });
        const first = await s.agents.inbox(ws, 'c', 'reader', 1);
        assert.deepEqual(first, [m1]);
        const rest = await s.agents.inbox(ws, 'c', 'reader', 10);
        assert.deepEqual(rest, [m4]);
        assert.deepEqual(await s.agents.inbox(ws, 'c', 'reader', 10), [], 'the cursor moved past them');
        assert.deepEqual(
          (await s.agents.inbox(ws, 'c', 'stranger', 10)).map((m) => m.text),
          ['to all', 'own'],
          'an agent with no row reads from the start',
        );
      });

      test('a diary lists newest first and keeps its newest entries', async () => {
        const ws = freshWorkspace();
        for (let i = 0; i < 103; i++) {
          await s.agents.addDiary(ws, { agent: 'a', category: 'note', text: `d${i}`, ts: iso(i) });
        }
        await s.agents.addDiary(ws, { agent: 'b', category: 'note', text: 'other', ts: iso(0) });
        assert.deepEqual(await s.agents.diary(ws, 'a', 2), [
          { agent: 'a', category: 'note', text: 'd102', ts: iso(102) },
          { agent: 'a', category: 'note', text: 'd101', ts: iso(101) },
        ]);
        const all = await s.agents.diary(ws, 'a', 1000);
        assert.equal(all.length, 100);
        assert.equal(all.at(-1)?.text, 'd3');
      });
    });

    describe('tasks', () => {
      const task = (
        ws: string,
        id: string,
        over: Partial<Parameters<SharedSessionStores['tasks']['create']>[0]> = {},
      ) => ({
        id,
        workspaceId: ws,
        channelId: 'c',
        from: 'alice',
        to: undefined,
        description: `task ${id}`,
        state: 'working' as const,
        createdAt: iso(0),
        messages: [],
        ...over,
      });

      test('create, get and list filtered by recipient and openness, newest first', async () => {
        const ws = freshWorkspace();
        const created = await s.tasks.create(
          task(ws, 't1', { to: 'bob', messages: [{ agent: 'alice', text: 'hi', ts: iso(0) }] }),
        );
        assert.deepEqual(created.revision, 1);
        assert.equal(created.updatedAt, created.createdAt);
        assert.deepEqual(await s.tasks.get(ws, 't1'), created);
        await s.tasks.create(task(ws, 't2', { createdAt: iso(1), state: 'completed', to: 'bob' }));
        await s.tasks.create(task(ws, 't3', { createdAt: iso(2), state: 'input-required' }));
        await s.tasks.create(task(ws, 't4', { createdAt: iso(3), channelId: 'other' }));
        const ids = async (filter: Parameters<SharedSessionStores['tasks']['list']>[2]) =>
          (await s.tasks.list(ws, 'c', filter)).map((t) => t.id);
        assert.deepEqual(await ids({ limit: 10 }), ['t3', 't2', 't1']);
        assert.deepEqual(await ids({ limit: 2 }), ['t3', 't2']);
        assert.deepEqual(await ids({ limit: 10, to: 'bob' }), ['t2', 't1']);
        assert.deepEqual(await ids({ limit: 10, open: true }), ['t3', 't1']);
        assert.deepEqual(await ids({ limit: 10, open: true, to: 'bob' }), ['t1']);
        assert.equal(await s.tasks.get(ws, 'missing'), undefined);
        await assert.rejects(s.tasks.create(task(ws, 't1')), 'an id is created once');
      });

      test('update bumps the revision by one, and a change that throws writes nothing', async () => {
        const ws = freshWorkspace();
        await s.tasks.create(task(ws, 't'));
        const msg = { agent: 'bob', text: 'done', ts: iso(5), state: 'completed' as const };
        const updated = await s.tasks.update(ws, 't', (t) => ({
          state: 'completed',
          messages: [...t.messages, msg],
        }));
        assert.equal(updated?.revision, 2);
        assert.equal(updated?.state, 'completed');
        const read = await s.tasks.get(ws, 't');
        assert.deepEqual(read, updated);
        assert.deepEqual(read?.messages, [msg]);
        await assert.rejects(
          s.tasks.update(ws, 't', () => {
            throw new Error('refused: the task is done');
          }),
          /refused/,
        );
        assert.equal((await s.tasks.get(ws, 't'))?.revision, 2);
        assert.equal(await s.tasks.update(ws, 'missing', (t) => t), undefined);
      });
    });

    describe('workflows', () => {
      const spec = {
        name: 'review',
        initial: 'draft',
        states: {
          draft: {
            allowed_tools: ['ctx_read', 'ctx_search'],
            transitions: ['review'],
            requires_evidence: [],
          },
          review: { transitions: ['done'], requires_evidence: ['tests'] },
          done: { transitions: [], requires_evidence: [] },
        },
      };
      const run = (ws: string, scope: string, startedBy = 'alice') => ({
        workspaceId: ws,
        scope,
        spec,
        state: 'draft',
        evidence: {},
        history: [],
        startedBy,
        startedAt: iso(0),
        updatedAt: iso(0),
      });

      test('start, gate, update and stop a run; the gate follows the state', async () => {
        const ws = freshWorkspace();
        assert.equal(await s.workflows.gate(ws, 'ctx'), undefined);
        const started = await s.workflows.start(run(ws, 'ctx'));
        assert.equal(started.replaced, undefined);
        assert.equal(started.run.revision, 1);
        assert.deepEqual(await s.workflows.gate(ws, 'ctx'), {
          name: 'review',
          state: 'draft',
          allowedTools: ['ctx_read', 'ctx_search'],
        });
        const evidence = {
          zeta: { value: 'z', agent: 'a', ts: iso(1) },
          alpha: { value: 'a', agent: 'a', ts: iso(2) },
        };
        const moved = await s.workflows.update(ws, 'ctx', (r) => ({
          state: 'review',
          evidence,
          history: [...r.history, { from: 'draft', to: 'review', agent: 'a', ts: iso(3) }],
        }));
        assert.equal(moved?.revision, 2);
        assert.deepEqual(await s.workflows.gate(ws, 'ctx'), {
          name: 'review',
          state: 'review',
          allowedTools: undefined,
        });
        const got = await s.workflows.get(ws, 'ctx');
        assert.deepEqual(got, moved);
        assert.deepEqual(
          Object.keys(got?.evidence ?? {}),
          ['zeta', 'alpha'],
          'evidence keeps the order it was given',
        );
        assert.deepEqual(
          Object.keys(got?.spec.states ?? {}),
          ['draft', 'review', 'done'],
          'states keep their order',
        );
        await assert.rejects(
          s.workflows.update(ws, 'ctx', () => {
            throw new Error('refused: needs evidence');
          }),
          /refused/,
        );
        assert.equal((await s.workflows.get(ws, 'ctx'))?.revision, 2);
        assert.equal(await s.workflows.update(ws, 'none', (r) => r), undefined);
        const stopped = await s.workflows.stop(ws, 'ctx');
        assert.deepEqual(stopped, moved);
        assert.equal(await s.workflows.get(ws, 'ctx'), undefined);
        assert.equal(await s.workflows.stop(ws, 'ctx'), undefined);
      });

      test('starting again replaces the running one and returns it; racing starts leave one run', async () => {
        const ws = freshWorkspace();
        const first = await s.workflows.start(run(ws, 'ctx', 'alice'));
        const second = await s.workflows.start(run(ws, 'ctx', 'bob'));
        assert.deepEqual(second.replaced?.startedBy, 'alice');
        assert.deepEqual(second.replaced?.spec, first.run.spec);
        const conns = await Promise.all(Array.from({ length: 4 }, () => db.connect()));
        try {
          const results = await Promise.all(
            conns.map((c, i) => c.stores.workflows.start(run(ws, 'race', `starter${i}`))),
          );
          assert.equal(
            results.filter((r) => r.replaced === undefined).length,
            1,
            'one found no run before it',
          );
        } finally {
          await Promise.all(conns.map((c) => c.close()));
        }
        assert.equal((await s.workflows.get(ws, 'race'))?.revision, 1);
      });

      test('a scope of a token and its context (joined by NUL, as workflowScope does) is its own run', async () => {
        const ws = freshWorkspace();
        const scope = workflowScope('alice', 'c\\1');
        await s.workflows.start(run(ws, scope));
        await s.workflows.start(run(ws, 'alice'));
        await s.workflows.update(ws, scope, (r) => ({
          state: 'review',
          evidence: r.evidence,
          history: r.history,
        }));
        assert.equal((await s.workflows.get(ws, scope))?.scope, scope);
        assert.deepEqual((await s.workflows.gate(ws, scope))?.state, 'review');
        assert.equal((await s.workflows.get(ws, 'alice'))?.state, 'draft', 'the bare token is another scope');
        assert.equal(await s.workflows.get(ws, workflowScope('alice', 'c1')), undefined);
        assert.equal((await s.workflows.stop(ws, scope))?.scope, scope);
      });
    });

    describe('handoffs and shares', () => {
      const handoff = (ws: string, id: string, createdAt: string) => ({
        id,
        workspaceId: ws,
        channelId: 'c',
        from: 'alice',
        to: 'bob',
        createdAt,
        ledgerJson: `{"id":"${id}","z":1,"a":[2, 3]}`,
      });

      test('a ledger is stored once per id, listed newest first, and keeps its exact text', async () => {
        const ws = freshWorkspace();
        const a = await s.handoffs.create(handoff(ws, 'h1', iso(1)));
        assert.equal(a.created, true);
        assert.deepEqual(a.record, { ...handoff(ws, 'h1', iso(1)), pulledBy: [] });
        const again = await s.handoffs.create({ ...handoff(ws, 'h1', iso(9)), from: 'mallory' });
        assert.equal(again.created, false);
        assert.deepEqual(again.record, a.record, 'the first one stays');
        await s.handoffs.create(handoff(ws, 'h2', iso(2)));
        await s.handoffs.create({ ...handoff(ws, 'h3', iso(3)), channelId: 'other' });
        assert.deepEqual(
          (await s.handoffs.list(ws, 'c', 10)).map((h) => h.id),
          ['h2', 'h1'],
        );
        assert.deepEqual(
          (await s.handoffs.list(ws, 'c', 1)).map((h) => h.id),
          ['h2'],
        );
        assert.equal((await s.handoffs.get(ws, 'h1'))?.ledgerJson, handoff(ws, 'h1', iso(1)).ledgerJson);
        assert.equal(await s.handoffs.get(ws, 'nope'), undefined);
      });

      test('markPulled records each puller once, in order', async () => {
        const ws = freshWorkspace();
        await s.handoffs.create(handoff(ws, 'h', iso(1)));
        await Promise.all([s.handoffs.markPulled(ws, 'h', 'bob'), s.handoffs.markPulled(ws, 'h', 'bob')]);
        await s.handoffs.markPulled(ws, 'h', 'carol');
        await s.handoffs.markPulled(ws, 'h', 'bob');
        await s.handoffs.markPulled(ws, 'missing', 'bob');
        assert.deepEqual((await s.handoffs.get(ws, 'h'))?.pulledBy, ['bob', 'carol']);
      });

      test('remove takes one handoff or every one of the channel', async () => {
        const ws = freshWorkspace();
        for (const [i, id] of ['h1', 'h2', 'h3'].entries()) await s.handoffs.create(handoff(ws, id, iso(i)));
        await s.handoffs.create({ ...handoff(ws, 'o', iso(5)), channelId: 'other' });
        assert.equal(await s.handoffs.remove(ws, 'c', 'h2'), 1);
        assert.equal(await s.handoffs.remove(ws, 'c', 'o'), 0, 'not on this channel');
        assert.equal(await s.handoffs.remove(ws, 'c'), 2);
        assert.deepEqual(await s.handoffs.list(ws, 'c', 10), []);
        assert.equal((await s.handoffs.list(ws, 'other', 10)).length, 1);
      });

      const view = (from: string, path: string, to?: string) => ({
        channelId: 'c',
        from,
        to,
        path,
        hash: `h_${path}`,
        text: `contents of ${path}`,
        tokens: 7,
        message: to ? `for ${to}` : undefined,
        createdAt: iso(1),
      });

      test("views push and list newest first without contents; clear removes a sender's", async () => {
        const ws = freshWorkspace();
        const pushed = await s.shares.push(ws, [view('alice', 'a.ts'), view('alice', 'b.ts', 'bob')]);
        assert.equal(pushed.length, 2);
        assert.ok((pushed[1]?.id ?? 0) > (pushed[0]?.id ?? 0));
        assert.deepEqual(pushed[1], {
          id: pushed[1]?.id,
          workspaceId: ws,
          channelId: 'c',
          from: 'alice',
          to: 'bob',
          path: 'b.ts',
          hash: 'h_b.ts',
          tokens: 7,
          message: 'for bob',
          createdAt: iso(1),
        });
        await s.shares.push(ws, [view('carol', 'c.ts')]);
        const list = await s.shares.list(ws, 'c');
        assert.deepEqual(
          list.map((v) => v.path),
          ['c.ts', 'b.ts', 'a.ts'],
        );
        assert.ok(
          list.every((v) => !('text' in v)),
          'no contents in a listing',
        );
        assert.equal(await s.shares.clear(ws, 'c', 'alice'), 2);
        assert.deepEqual(
          (await s.shares.list(ws, 'c')).map((v) => v.path),
          ['c.ts'],
        );
      });

      test('pull gives an agent the views for it, not its own, each once; paths narrow them', async () => {
        const ws = freshWorkspace();
        await s.shares.push(ws, [
          view('alice', 'a.ts'),
          view('alice', 'b.ts', 'bob'),
          view('alice', 'c.ts', 'carol'),
          view('bob', 'own.ts'),
        ]);
        const narrowed = await s.shares.pull(ws, 'c', 'bob', ['b.ts']);
        assert.deepEqual(
          narrowed.map((v) => [v.path, v.text]),
          [['b.ts', 'contents of b.ts']],
        );
        const rest = await s.shares.pull(ws, 'c', 'bob');
        assert.deepEqual(
          rest.map((v) => v.path),
          ['a.ts'],
        );
        assert.deepEqual(await s.shares.pull(ws, 'c', 'bob'), []);
        assert.deepEqual(
          (await s.shares.pull(ws, 'c', 'carol', [])).map((v) => v.path),
          ['a.ts', 'c.ts', 'own.ts'],
          'an empty path list narrows nothing',
        );
        // pulled views cleared and pushed again are new views
        await s.shares.clear(ws, 'c', 'alice');
        await s.shares.push(ws, [view('alice', 'a.ts')]);
        assert.deepEqual(
          (await s.shares.pull(ws, 'c', 'bob')).map((v) => v.path),
          ['a.ts'],
        );
      });

      test('concurrent pulls by one agent on separate connections hand each view out once', async () => {
        const ws = freshWorkspace();
        await s.shares.push(
          ws,
          Array.from({ length: 30 }, (_, i) => view('alice', `f${i}.ts`)),
        );
        const conns = await Promise.all(Array.from({ length: 5 }, () => db.connect()));
        try {
          const pulls = await Promise.all(conns.map((c) => c.stores.shares.pull(ws, 'c', 'bob')));
          const paths = pulls.flat().map((v) => v.path);
          assert.equal(paths.length, 30);
          assert.equal(new Set(paths).size, 30);
        } finally {
          await Promise.all(conns.map((c) => c.close()));
        }
      });
    });

    describe('concurrent writers', () => {
      test('50 writers on separate connections updating one session and one task lose no update and get distinct revisions', async () => {
        const ws = freshWorkspace();
        const writers = 50;
        const perWriter = 4;
        const total = writers * perWriter;
        await s.tasks.create({
          id: 'shared',
          workspaceId: ws,
          channelId: 'c',
          from: 'test',
          to: undefined,
          description: 'count the writes',
          state: 'working',
          createdAt: iso(0),
          messages: [],
        });
        const conns = await Promise.all(Array.from({ length: writers }, () => db.connect()));
        const sessionRevisions: number[] = [];
        const taskRevisions: number[] = [];
        try {
          await Promise.all(
            conns.map(async (c, w) => {
              for (let i = 0; i < perWriter; i++) {
                const text = `w${w} ${i}`;
                const write = await c.stores.sessions.apply(ws, 'c', `w${w}`, { kind: 'finding', text });
                sessionRevisions.push(write.revision);
                const t = await c.stores.tasks.update(ws, 'shared', (cur) => ({
                  state: cur.state,
                  messages: [...cur.messages, { agent: `w${w}`, text, ts: new Date().toISOString() }],
                }));
                taskRevisions.push(t?.revision ?? -1);
              }
            }),
          );
        } finally {
          await Promise.all(conns.map((c) => c.close()));
        }
        const byNumber = (a: number, b: number) => a - b;
        assert.deepEqual(
          sessionRevisions.sort(byNumber),
          Array.from({ length: total }, (_, i) => i + 1),
          'every session write got its own revision, with no gap',
        );
        assert.deepEqual(
          taskRevisions.sort(byNumber),
          Array.from({ length: total }, (_, i) => i + 2),
          'every task update got its own revision, with no gap',
        );
        const session = await s.sessions.get(ws, 'c');
        assert.equal(session.revision, total);
        assert.deepEqual(
          session.entries.map((e) => e.revision),
          Array.from({ length: total }, (_, i) => i + 1),
          'one finding per revision, in revision order',
        );
        const final = await s.tasks.get(ws, 'shared');
        assert.equal(final?.revision, total + 1);
        assert.equal(final?.messages.length, total, 'no message lost to a concurrent update');
        for (let w = 0; w < writers; w++) {
          const expected = Array.from({ length: perWriter }, (_, i) => `w${w} ${i}`);
          assert.deepEqual(
            session.entries.filter((e) => e.agent === `w${w}`).map((e) => e.text),
            expected,
            `w${w}'s findings in its order`,
          );
          assert.deepEqual(
            final?.messages.filter((m) => m.agent === `w${w}`).map((m) => m.text),
            expected,
            `w${w}'s task messages in its order`,
          );
        }
      });

      test('three processes writing one session and one task at once lose no update', async () => {
        const ws = freshWorkspace();
        await s.tasks.create({
          id: 'shared',
          workspaceId: ws,
          channelId: 'c',
          from: 'test',
          to: undefined,
          description: 'count the writes',
          state: 'working',
          createdAt: iso(0),
          messages: [],
        });
        const names = ['p1', 'p2', 'p3'];
        const perProcess = 40;
        const outputs = await Promise.all(
          names.map((name) =>
            run(
              process.execPath,
              ['--import', 'tsx', WRITER, db.target, ws, name, String(perProcess), 'shared'],
              {
                timeout: 120_000,
              },
            ),
          ),
        );
        for (const o of outputs) assert.equal(o.stdout.trim(), 'done');
        const total = names.length * perProcess;
        const session = await s.sessions.get(ws, 'c');
        assert.equal(session.revision, total);
        assert.deepEqual(
          session.entries.map((e) => e.revision),
          Array.from({ length: total }, (_, i) => i + 1),
        );
        const task = await s.tasks.get(ws, 'shared');
        assert.equal(task?.revision, total + 1);
        for (const name of names) {
          const expected = Array.from({ length: perProcess }, (_, i) => `${name} ${i}`);
          assert.deepEqual(
            session.entries.filter((e) => e.agent === name).map((e) => e.text),
            expected,
          );
          assert.deepEqual(
            task?.messages.filter((m) => m.agent === name).map((m) => m.text),
            expected,
          );
        }
      });

      test('messages posted from many connections while a reader drains its inbox arrive exactly once', async () => {
        const ws = freshWorkspace();
        const posters = 8;
        const perPoster = 15;
        const conns = await Promise.all(Array.from({ length: posters }, () => db.connect()));
        // the read cursor lives on the agent's row: a reader that never arrived reads from the start every time
        await s.agents.arrive({ workspaceId: ws, channelId: 'c', name: 'reader', tokenId: 't', ts: iso(0) });
        const received: string[] = [];
        let posting = true;
        const reader = (async () => {
          // drain until the posters are done and one more read comes back empty
          for (;;) {
            const done = !posting;
            const batch = await s.agents.inbox(ws, 'c', 'reader', 7);
            received.push(...batch.map((m) => m.text));
            if (done && batch.length === 0) return;
            // let the posters run: SQLite answers without leaving the microtask queue
            await setImmediate();
          }
        })();
        try {
          await Promise.all(
            conns.map(async (c, p) => {
              for (let i = 0; i < perPoster; i++) {
                await c.stores.agents.post(ws, {
                  channelId: 'c',
                  from: `p${p}`,
                  to: undefined,
                  category: 'status',
                  text: `p${p} ${i}`,
                  ts: new Date().toISOString(),
                });
              }
            }),
          );
        } finally {
          posting = false;
          await reader;
          await Promise.all(conns.map((c) => c.close()));
        }
        assert.equal(received.length, posters * perPoster, 'none lost, none twice');
        assert.equal(new Set(received).size, posters * perPoster);
        for (let p = 0; p < posters; p++) {
          assert.deepEqual(
            received.filter((t) => t.startsWith(`p${p} `)),
            Array.from({ length: perPoster }, (_, i) => `p${p} ${i}`),
            `p${p}'s messages in its order`,
          );
        }
      });
    });
  });
}

test('on PostgreSQL, mapError turns what every kind of method throws into the error the caller should see', async () => {
  // nothing listens on port 1: every query fails to connect
  const pool = new pg.Pool({
    connectionString: 'postgres://leanctx@127.0.0.1:1/none',
    connectionTimeoutMillis: 2000,
  });
  const seen: unknown[] = [];
  const stores = createPgSharedSessionStores(pool, {
    mapError: (err) => {
      seen.push(err);
      return new Error(`store unavailable: ${(err as { code?: string }).code}`);
    },
  });
  try {
    await assert.rejects(stores.sessions.get('w', 'c'), /store unavailable: ECONNREFUSED/);
    await assert.rejects(
      stores.sessions.apply('w', 'c', 'a', { kind: 'finding', text: 'x' }),
      /store unavailable: ECONNREFUSED/,
    );
    await assert.rejects(
      stores.tasks.update('w', 't', (t) => t),
      /store unavailable/,
    );
    await assert.rejects(stores.shares.pull('w', 'c', 'a'), /store unavailable/);
    assert.equal(seen.length, 4);
  } finally {
    await pool.end();
  }
  const plainPool = new pg.Pool({ connectionString: 'postgres://leanctx@127.0.0.1:1/none' });
  try {
    const plain = createPgSharedSessionStores(plainPool);
    await assert.rejects(
      plain.agents.diary('w', 'a', 1),
      { code: 'ECONNREFUSED' },
      'without mapError it passes through',
    );
  } finally {
    await plainPool.end();
  }
});
