import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, startCli } from '../helpers/cli.ts';
import { makeTree, SAMPLE_FILES } from '../helpers/team-server.ts';

const READ_ONLY =
  '{"name":"read-only","initial":"reading","states":{"reading":{"allowed_tools":["ctx_read","ctx_workflow"],"transitions":[]}}}';

async function serve(config: string) {
  const server = startCli(['team', 'serve', '--config', config]);
  const out = await server.waitFor(/Tools: \d+ available/);
  return { server, base: `http://127.0.0.1:${/:(\d+)\n/.exec(out)?.[1]}` };
}

function caller(base: string, token: string, agent: string) {
  return async (name: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await fetch(`${base}/v1/tools/call`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-leanctx-agent': agent,
        'x-leanctx-channel': 'feat/auth-refactor',
      },
      body: JSON.stringify({ name, arguments: args, ...extra }),
    });
    const body = (await res.json()) as { result?: { content: { text: string }[] }; error_code?: string };
    return { status: res.status, text: body.result?.content[0]?.text ?? '', code: body.error_code };
  };
}

test('sessions, agents, tasks, workflows, handoffs and shared views survive kill -9 of a CLI-started server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'session-restart-'));
  const config = join(dir, 'team.json');
  writeFileSync(
    config,
    JSON.stringify({ port: 0, workspaces: [{ id: 'main', root: makeTree(SAMPLE_FILES) }] }),
  );
  const token = (id: string) =>
    runCli(['team', 'token', 'create', '--config', config, '--id', id, '--role', 'member']).stdout.trim();
  const alice = token('alice');
  const bob = token('bob');

  const first = await serve(config);
  const cursor = caller(first.base, alice, 'cursor');
  assert.match((await cursor('ctx_session', { action: 'task', value: 'split auth.ts' })).text, /rev 1/);
  await cursor('ctx_session', { action: 'decision', value: 'keep the bearer parser' });
  await cursor('ctx_session', { action: 'finding', value: 'src/index.ts:2 returns a constant' });
  const task = (
    await cursor('ctx_task', { action: 'create', to_agent: 'claude-code', description: 'review it' })
  ).text;
  const taskId = /t_[0-9a-f]+/.exec(task)?.[0] as string;
  await cursor('ctx_workflow', { action: 'start', spec: READ_ONLY }, { contextId: 'ctx-1' });
  const handoff = (await cursor('ctx_handoff', { action: 'create', paths: ['src/index.ts'] })).text;
  const handoffId = /^handoff ([0-9a-f]{16})/.exec(handoff)?.[1] as string;
  await cursor('ctx_share', { action: 'push', paths: 'src/util.ts' });
  await cursor('ctx_agent', { action: 'post', message: 'auth.ts is mine', to_agent: 'claude-code' });
  // the last write answered: it is committed
  assert.equal(await first.server.kill('SIGKILL'), null);

  const second = await serve(config);
  try {
    const claude = caller(second.base, bob, 'claude-code');
    const status = (await claude('ctx_session', { action: 'status' })).text;
    assert.match(status, /rev 3 \(last write by cursor/);
    assert.match(status, /task: split auth.ts \(cursor, r1\)/);
    assert.match(status, /r2 decision: keep the bearer parser/);
    assert.match(status, /r3 finding: src\/index.ts:2 returns a constant/);
    assert.match(
      (await claude('ctx_task', { action: 'get', task_id: taskId })).text,
      /\[working\] .*\nfrom cursor to claude-code/,
    );
    assert.match(
      (await claude('ctx_handoff', { action: 'show', id: handoffId })).text,
      /file: src\/index.ts 3L/,
    );
    assert.match((await claude('ctx_share', { action: 'pull' })).text, /src\/util.ts from cursor/);
    assert.match(
      (await claude('ctx_agent', { action: 'read' })).text,
      /cursor → claude-code \[status\]: auth.ts is mine/,
    );

    const gated = await caller(second.base, alice, 'cursor')(
      'ctx_search',
      { pattern: 'main' },
      { contextId: 'ctx-1' },
    );
    assert.equal(gated.status, 403, 'the workflow still binds its context');
    assert.equal(gated.code, 'workflow_denied');

    assert.match(
      (await claude('ctx_session', { action: 'checkpoint', value: 'after restart' })).text,
      /rev 4/,
    );
    const list = runCli(['session', 'list', '--config', config, '--workspace', 'main']);
    assert.match(list.stdout, /^channel: feat\/auth-refactor rev:\d+ agents: cursor, claude-code$/m);
  } finally {
    await second.server.kill();
  }
});
