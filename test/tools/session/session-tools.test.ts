import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readFrames } from '../../helpers/sse.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

interface Envelope {
  error_code: string;
  error: string;
  issues?: { path: string; message: string }[];
}

const as = (agent: string) => ({ 'x-leanctx-agent': agent });

async function resultText(res: Response): Promise<{ text: string; isError: boolean }> {
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { result: { content: { text: string }[]; isError?: boolean } };
  return { text: body.result.content[0]?.text ?? '', isError: body.result.isError === true };
}

describe('session tools over HTTP', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'member' },
        { id: 'bob', role: 'member' },
        { id: 'viewer', role: 'viewer' },
      ],
      keepAliveMs: 100,
    });
  });
  after(() => srv.close());

  test('an unknown action is a 400 that lists the valid ones', async () => {
    const res = await callTool(srv, 'alice', { name: 'ctx_session', arguments: { action: 'frobnicate' } });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Envelope;
    assert.equal(body.error_code, 'invalid_arguments');
    assert.match(body.error, /action: Invalid option: expected one of "status"\|"load"\|"save"\|"task"/);
    const missing = await callTool(srv, 'alice', { name: 'ctx_task', arguments: { action: 'update' } });
    assert.match(((await missing.json()) as Envelope).error, /task_id: required for action "update"/);
  });

  test('a write without sessionMutations is scope_denied, a read with search only is answered', async () => {
    const write = await callTool(srv, 'viewer', {
      name: 'ctx_session',
      arguments: { action: 'task', value: 'x' },
    });
    assert.equal(write.status, 403);
    const body = (await write.json()) as Envelope & { required: string[] };
    assert.equal(body.error_code, 'scope_denied');
    assert.deepEqual(body.required, ['sessionMutations']);
    for (const [name, args] of [
      ['ctx_agent', { action: 'post', message: 'hi' }],
      ['ctx_task', { action: 'create', description: 'x' }],
      ['ctx_share', { action: 'push', paths: 'README.md' }],
      ['ctx_handoff', { action: 'create' }],
      ['ctx_workflow', { action: 'start' }],
      ['ctx_intent', { query: 'fix the bug' }],
    ] as const) {
      const res = await callTool(srv, 'viewer', { name, arguments: args });
      assert.equal(res.status, 403, `${name} ${args.action ?? ''} needs sessionMutations`);
    }
    assert.match(
      await callToolText(srv, 'viewer', 'ctx_session', { action: 'status' }),
      /^session main\/main/,
    );
    assert.match(
      await callToolText(srv, 'viewer', 'ctx_intent', { query: 'fix the failing test', record: false }),
      /^debug → read mode task/,
    );
  });

  test('a value over its size limit is refused with the limit named', async () => {
    const res = await callTool(srv, 'alice', {
      name: 'ctx_session',
      arguments: { action: 'finding', value: 'x'.repeat(2001) },
    });
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as Envelope).error, /value: at most 2000 characters/);
    const post = await callTool(srv, 'alice', {
      name: 'ctx_agent',
      arguments: { action: 'post', message: 'y'.repeat(2001) },
    });
    assert.match(
      ((await post.json()) as Envelope).error,
      /message: Too big: expected string to have <=2000 characters/,
    );
  });

  test('a malformed or altered export is refused whole and changes nothing', async () => {
    const ch = { 'x-leanctx-channel': 'imports' };
    for (const value of ['task one', 'src/a.ts:3 a finding']) {
      const action = value.startsWith('task') ? 'task' : 'finding';
      await callTool(srv, 'alice', { name: 'ctx_session', arguments: { action, value } }, ch);
    }
    const exportRes = await callTool(
      srv,
      'alice',
      { name: 'ctx_session', arguments: { action: 'export' } },
      ch,
    );
    const exported = JSON.parse((await resultText(exportRes)).text) as {
      sha256: string;
      content: { entries: { text: string }[] };
    };
    assert.equal(exported.content.entries[0]?.text, 'a finding');
    const status = async () =>
      (
        await resultText(
          await callTool(srv, 'alice', { name: 'ctx_session', arguments: { action: 'status' } }, ch),
        )
      ).text;
    const before = await status();

    const altered = structuredClone(exported);
    (altered.content.entries[0] as { text: string }).text = 'rewritten';
    const broken = { ...exported, content: { ...exported.content, entries: [{ kind: 'finding' }] } };
    for (const [value, why] of [
      ['{"format":', /not valid JSON/],
      [JSON.stringify(altered), /sha256 does not match the content/],
      [JSON.stringify(broken), /value\.content\.entries\.0\.text/],
    ] as const) {
      const res = await callTool(
        srv,
        'alice',
        { name: 'ctx_session', arguments: { action: 'import', value } },
        ch,
      );
      assert.equal(res.status, 400);
      const body = (await res.json()) as Envelope;
      assert.match(body.error, why);
      assert.match(body.error, /nothing was imported/);
    }
    assert.equal(await status(), before, 'the session did not change');

    const ok = await callTool(
      srv,
      'alice',
      { name: 'ctx_session', arguments: { action: 'import', value: JSON.stringify(exported) } },
      { 'x-leanctx-channel': 'copy' },
    );
    assert.match((await resultText(ok)).text, /^Imported 1 entries and the task from main\/imports rev 2/);
  });

  test('a pulled view counts as received by the puller context: its next read is an honest stub, or a diff once the file changed', async () => {
    await callToolText(srv, 'alice', 'ctx_share', {
      action: 'push',
      paths: 'src/index.ts, src/util.ts',
      message: 'the entry point',
    });
    const pulled = await resultText(
      await callTool(srv, 'bob', { name: 'ctx_share', arguments: { action: 'pull' }, contextId: 'bob-1' }),
    );
    assert.match(pulled.text, /--- src\/index.ts from alice .* — the entry point\nexport function main/);
    const stub = await callToolText(srv, 'bob', 'ctx_read', { path: 'src/index.ts', mode: 'full' }, 'bob-1');
    assert.match(stub, /unchanged: this context received this exact content/);
    const other = await callToolText(srv, 'bob', 'ctx_read', { path: 'src/index.ts', mode: 'full' }, 'bob-2');
    assert.match(other, /return 42/, 'a context that pulled nothing gets the content');
    assert.equal(
      (await callToolText(srv, 'bob', 'ctx_share', { action: 'pull' }, 'bob-1')).trim(),
      'Nothing new shared with you.',
    );

    writeFileSync(join(srv.root, 'src/util.ts'), 'export const add = (a: number, b: number) => a + b + 0;\n');
    const diff = await callToolText(srv, 'bob', 'ctx_read', { path: 'src/util.ts', mode: 'diff' }, 'bob-1');
    assert.match(
      diff,
      /changed since read #1: \+1 -1/,
      'the context holds the pushed text: it gets what changed',
    );

    await callToolText(srv, 'alice', 'ctx_share', { action: 'push', paths: 'README.md', to_agent: 'carol' });
    writeFileSync(join(srv.root, 'README.md'), '# Sample\n\nChanged after the push.\n');
    const carol = await callTool(
      srv,
      'bob',
      { name: 'ctx_share', arguments: { action: 'pull' }, contextId: 'carol-1' },
      as('carol'),
    );
    const late = (await resultText(carol)).text;
    assert.match(late, /README.md from alice .*\[changed on disk since it was pushed/);
    assert.match(late, /src\/index.ts from alice/, 'a view for everyone reaches each agent once');
    assert.equal(
      (await callToolText(srv, 'bob', 'ctx_share', { action: 'pull' }, 'bob-1')).trim(),
      'Nothing new shared with you.',
      "carol's view is not bob's",
    );
  });

  test('tasks move through A2A states with messages, and a final state is final', async () => {
    const created = await callToolText(srv, 'alice', 'ctx_task', {
      action: 'create',
      to_agent: 'bob',
      description: 'write the migration',
    });
    const id = /Created (t_[0-9a-f]+)/.exec(created)?.[1] as string;
    assert.ok(id, created);
    await callToolText(srv, 'bob', 'ctx_task', {
      action: 'update',
      task_id: id,
      state: 'input-required',
      message: 'which table?',
    });
    await callToolText(srv, 'alice', 'ctx_task', { action: 'message', task_id: id, message: 'users' });
    await callToolText(srv, 'bob', 'ctx_task', { action: 'update', task_id: id, state: 'completed' });
    const detail = await callToolText(srv, 'alice', 'ctx_task', { action: 'get', task_id: id });
    assert.match(detail, new RegExp(`^${id} \\[completed\\] rev 4`));
    assert.match(detail, /bob → input-required: which table\?\n.*alice: users\n.*bob → completed/);
    const again = await resultText(
      await callTool(srv, 'bob', {
        name: 'ctx_task',
        arguments: { action: 'update', task_id: id, state: 'working' },
      }),
    );
    assert.equal(again.isError, true);
    assert.match(again.text, /is completed: a final state takes no more changes/);
  });

  test('agents post and read messages, and a finished agent leaves the channel with agent_left', async () => {
    const ch = { 'x-leanctx-channel': 'agents' };
    const call = (who: string, args: Record<string, unknown>) =>
      callTool(
        srv,
        who === 'ann' ? 'alice' : 'bob',
        { name: 'ctx_agent', arguments: args },
        { ...ch, ...as(who) },
      );
    await resultText(await call('ann', { action: 'register', agent_type: 'cursor', role: 'reviewer' }));
    await resultText(
      await call('ben', { action: 'post', message: 'auth.ts is mine today', category: 'warning' }),
    );
    await resultText(await call('ben', { action: 'post', message: 'only for ann', to_agent: 'ann' }));
    await resultText(await call('ben', { action: 'post', message: 'for someone else', to_agent: 'cid' }));
    const inbox = (await resultText(await call('ann', { action: 'read' }))).text;
    assert.match(inbox, /ben → everyone \[warning\]: auth.ts is mine today/);
    assert.match(inbox, /ben → ann \[status\]: only for ann/);
    assert.doesNotMatch(inbox, /someone else/);
    assert.equal((await resultText(await call('ann', { action: 'read' }))).text, 'No new messages.');

    const stream = await srv.request('/v1/events?channelId=agents&since=0', { as: 'alice' });
    const leaving = readFrames(stream, (f) => f.some((x) => x.event === 'agent_left'));
    assert.match(
      (await resultText(await call('ben', { action: 'status', status: 'finished' }))).text,
      /ben finished and left agents/,
    );
    const left = (await leaving).find((f) => f.event === 'agent_left');
    assert.equal(JSON.parse(left?.data ?? '{}').payload.agent, 'ben');
    const list = (await resultText(await call('ann', { action: 'list' }))).text;
    assert.match(list, /ann \[active\] cursor role=reviewer token=alice/);
    assert.match(list, /ben \[finished\]/);
    await callTool(srv, 'bob', { name: 'ctx_tree' }, { ...ch, ...as('ben') });
    const sessions = (await (await srv.request('/v1/sessions', { as: 'alice' })).json()) as {
      channels: { channelId: string; agents: string[] }[];
    };
    assert.deepEqual(sessions.channels.find((c) => c.channelId === 'agents')?.agents, ['ann', 'ben']);

    await resultText(await call('ann', { action: 'diary', message: 'reviewed auth.ts' }));
    assert.match(
      (await resultText(await call('ben', { action: 'recall_diary', to_agent: 'ann' }))).text,
      /reviewed auth.ts/,
    );
  });

  test('a handoff ledger hashes its content: create, pull applies it, export and import round-trip', async () => {
    const ch = { 'x-leanctx-channel': 'handoff' };
    const call = async (who: string, args: Record<string, unknown>) =>
      resultText(
        await callTool(srv, who, { name: 'ctx_handoff', arguments: args, contextId: `${who}-h` }, ch),
      );
    await callTool(
      srv,
      'alice',
      { name: 'ctx_session', arguments: { action: 'task', value: 'ship the cache' } },
      ch,
    );
    await callTool(
      srv,
      'alice',
      { name: 'ctx_session', arguments: { action: 'decision', value: 'LRU, 2000 files' } },
      ch,
    );
    const created = await call('alice', { action: 'create', paths: ['src/index.ts'], to_agent: 'bob' });
    const id = /^handoff ([0-9a-f]{16}) from alice to bob/.exec(created.text)?.[1] as string;
    assert.ok(id, created.text);
    assert.match(created.text, /file: src\/index.ts 3L sha256:/);
    assert.match(created.text, /decision: LRU, 2000 files \(alice\)/);

    const pulled = await call('bob', { action: 'pull' });
    assert.match(pulled.text, new RegExp(`handoff ${id}`));
    assert.match(pulled.text, /src\/index.ts: unchanged/);
    assert.equal((await call('bob', { action: 'pull' })).text, 'No handoff waiting for you on this channel.');

    const exported = (await call('alice', { action: 'export', id })).text;
    const tampered = exported.replace('ship the cache', 'ship nothing');
    const refused = await callTool(
      srv,
      'alice',
      { name: 'ctx_handoff', arguments: { action: 'import', value: tampered } },
      ch,
    );
    assert.equal(refused.status, 400);
    await call('alice', { action: 'clear', id });
    assert.equal((await call('alice', { action: 'list' })).text, 'No handoffs on handoff.');
    const imported = await call('alice', { action: 'import', value: exported });
    assert.equal(
      imported.text,
      `Imported handoff ${id} from alice into handoff.`,
      'the same content, the same id',
    );
  });

  test('ctx_intent records the intent in the session and answers a read mode and tools, as text or JSON', async () => {
    const ch = { 'x-leanctx-channel': 'intent' };
    const res = await callTool(
      srv,
      'alice',
      { name: 'ctx_intent', arguments: { query: 'refactor the duplicated token parsing', format: 'json' } },
      ch,
    );
    const route = JSON.parse((await resultText(res)).text) as Record<string, unknown>;
    assert.equal(route.dimension, 'refactor');
    assert.equal(route.readMode, 'signatures');
    assert.equal(route.sessionRevision, 1);
    assert.ok((route.tools as string[]).includes('ctx_search'));
    const status = await callTool(srv, 'alice', { name: 'ctx_session', arguments: { action: 'status' } }, ch);
    assert.match((await resultText(status)).text, /r1 intent: refactor the duplicated token parsing/);
  });

  test('snapshot stays within 2 KB however much the session holds, and save/reset/restore keep the history', async () => {
    const ch = { 'x-leanctx-channel': 'snap' };
    const session = async (args: Record<string, unknown>) =>
      resultText(await callTool(srv, 'alice', { name: 'ctx_session', arguments: args }, ch));
    await session({ action: 'task', value: `T${'ask '.repeat(400)}` });
    for (let i = 0; i < 30; i++)
      await session({ action: i % 2 ? 'decision' : 'finding', value: `${i} ${'word '.repeat(300)}` });
    const snap = (await session({ action: 'snapshot' })).text;
    assert.ok(Buffer.byteLength(snap) <= 2048, `${Buffer.byteLength(snap)} bytes`);
    assert.match(snap, /^<session workspace="main" channel="snap" rev="31">/);
    assert.match(snap, /<\/session>$/);

    assert.match(
      (await session({ action: 'reset' })).text,
      /^Session reset\. Previous: snap@31 \(saved\)\. New: rev 32/,
    );
    assert.match((await session({ action: 'status' })).text, /task: \(none\)/);
    assert.match(
      (await session({ action: 'diff', session_id: 'snap@31' })).text,
      /^diff snap@31 → live rev 32: \+0 -30 entries/,
    );
    assert.match(
      (await session({ action: 'restore', session_id: 'snap@31' })).text,
      /^Restored snap@31 into snap \(rev 33, 30 entries\)/,
    );
    const resumed = (await session({ action: 'resume', since: 32 })).text;
    assert.match(resumed, /since rev 32: 30 new entries, task changed/);
    assert.match((await session({ action: 'list' })).text, /snap@31 {2}channel snap rev 31 {2}30 entries/);
  });
});
