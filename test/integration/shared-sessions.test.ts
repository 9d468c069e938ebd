import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { runCli } from '../helpers/cli.ts';
import { type Frame, readFrames } from '../helpers/sse.ts';
import { callTool, callToolText, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const CHANNEL = 'feat/auth-refactor';

async function mcpClient(srv: RunningTestServer, name: string, token: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: {
        headers: { authorization: `Bearer ${srv.tokens[token]}`, 'x-leanctx-channel': CHANNEL },
      },
    }),
  );
  return client;
}

const textOf = (r: unknown) =>
  ((r as { content: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

interface EventData {
  revision: number;
  kind: string;
  actor: string;
  payload: Record<string, unknown>;
}

describe('shared sessions: agents on one workspace and channel see each other', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'member' },
        { id: 'bob', role: 'member' },
        { id: 'writer', role: 'member' },
      ],
      config: { maxRps: 100_000, rateBurst: 100_000, maxConcurrency: 64 },
    });
  });
  after(() => srv.close());

  test('one MCP client sets a task and a decision; the other sees both through ctx_session and on its SSE stream, in order and without gaps', async () => {
    const cursor = await mcpClient(srv, 'cursor', 'alice');
    const claude = await mcpClient(srv, 'claude-code', 'bob');
    try {
      // bob joins first as claude-code's reader, then watches the channel from its start
      await claude.callTool({ name: 'ctx_session', arguments: { action: 'status' } });
      const stream = await srv.request(`/v1/events?channelId=${encodeURIComponent(CHANNEL)}&since=0`, {
        as: 'bob',
      });
      assert.equal(stream.status, 200);
      const mutations = (frames: Frame[]) => frames.filter((f) => f.event === 'session_mutated');
      const watching = readFrames(stream, (f) => mutations(f).length >= 2);

      const task = await cursor.callTool({
        name: 'ctx_session',
        arguments: { action: 'task', value: 'move token checks into middleware' },
      });
      assert.match(textOf(task), /^Task set \(rev 1\)/);
      const decision = await cursor.callTool({
        name: 'ctx_session',
        arguments: { action: 'decision', value: 'keep the bearer parser in src/auth' },
      });
      assert.match(textOf(decision), /Decision added \(rev 2\)/);

      const frames = (await watching).filter((f) => f.event);
      const ids = frames.map((f) => Number(f.id));
      assert.deepEqual(
        ids,
        ids.map((_, i) => i + 1),
        'every event of the channel arrives, ids 1, 2, 3 … without a gap',
      );
      const seen = mutations(frames).map((f) => JSON.parse(f.data ?? '{}') as EventData);
      assert.deepEqual(
        seen.map((e) => [e.payload.action, e.payload.sessionRevision, e.payload.agent, e.actor]),
        [
          ['task', 1, 'cursor', 'alice'],
          ['decision', 2, 'cursor', 'alice'],
        ],
      );
      assert.ok(!JSON.stringify(seen).includes('middleware'), 'events carry references, not the texts');
      const joined = frames.filter((f) => f.event === 'agent_joined').map((f) => JSON.parse(f.data ?? '{}'));
      assert.deepEqual(
        joined.map((e) => e.payload.agent),
        ['claude-code', 'cursor'],
        'an MCP client is named by its clientInfo.name',
      );

      const status = textOf(await claude.callTool({ name: 'ctx_session', arguments: { action: 'status' } }));
      assert.match(status, /rev 2 \(last write by cursor/);
      assert.match(status, /task: move token checks into middleware \(cursor, r1\)/);
      assert.match(status, /r2 decision: keep the bearer parser in src\/auth \(cursor\)/);
      assert.match(status, /agents: claude-code, cursor/);

      const sessions = (await (await srv.request('/v1/sessions', { as: 'bob' })).json()) as {
        channels: { channelId: string; sessionRevision: number; agents: string[]; task: string }[];
      };
      const channel = sessions.channels.find((c) => c.channelId === CHANNEL);
      assert.equal(channel?.sessionRevision, 2);
      assert.deepEqual(channel?.agents, ['claude-code', 'cursor']);
      assert.equal(channel?.task, 'move token checks into middleware');
    } finally {
      await cursor.close();
      await claude.close();
    }
  });

  test('fifty concurrent writers over HTTP: every write gets its own revision and none is lost', async () => {
    const channel = 'fifty';
    const writers = 50;
    const writes = 4;
    const stream = await srv.request(`/v1/events?channelId=${channel}&since=0`, { as: 'bob' });
    const mutations = (frames: Frame[]) => frames.filter((f) => f.event === 'session_mutated');
    const watching = readFrames(stream, (f) => mutations(f).length >= writers * writes);
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; i < writes; i++) {
          const res = await callTool(
            srv,
            'writer',
            {
              name: 'ctx_session',
              arguments: { action: 'finding', value: `writer ${w} note ${i}` },
              channelId: channel,
            },
            { 'x-leanctx-agent': `agent-${w}` },
          );
          assert.equal(res.status, 200, await res.clone().text());
        }
      }),
    );
    const exported = JSON.parse(
      await callToolText(srv, 'bob', 'ctx_session', { action: 'export' }, undefined, channel),
    ) as { revision: number; content: { entries: { text: string; agent: string }[] } };
    assert.equal(exported.revision, writers * writes, 'final revision = writers × writes');
    const texts = new Set(exported.content.entries.map((e) => e.text));
    for (let w = 0; w < writers; w++) {
      for (let i = 0; i < writes; i++)
        assert.ok(texts.has(`writer ${w} note ${i}`), `writer ${w} note ${i} kept`);
    }
    const revisions = mutations(await watching)
      .map((f) => (JSON.parse(f.data ?? '{}') as EventData).payload.sessionRevision as number)
      .sort((a, b) => a - b);
    assert.deepEqual(
      revisions,
      Array.from({ length: writers * writes }, (_, i) => i + 1),
      'each revision announced exactly once',
    );
  });

  test('lean-ctx session list prints the seed lines: channel, revision and agents in the order they joined', async () => {
    const r = runCli(['session', 'list', '--config', join(srv.dir, 'team.json'), '--workspace', 'main']);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'workspace: main');
    assert.ok(
      lines.some((l) => /^channel: feat\/auth-refactor rev:\d+ agents: claude-code, cursor$/.test(l)),
      r.stdout,
    );
    const fifty = lines.find((l) => l.startsWith('channel: fifty '));
    const agents = fifty?.split(' agents: ')[1]?.split(', ') ?? [];
    assert.equal(agents.filter((a) => /^agent-\d+$/.test(a)).length, 50, `fifty writers listed: ${fifty}`);
  });

  test('a channel or agent name that could forge a listing line is refused with the rule', async () => {
    const badChannel = await callTool(srv, 'alice', { name: 'ctx_tree', channelId: 'x\nchannel: fake' });
    assert.equal(badChannel.status, 400);
    const badAgent = await callTool(srv, 'alice', { name: 'ctx_tree' }, { 'x-leanctx-agent': 'a,b;c' });
    assert.equal(badAgent.status, 400);
    const body = (await badAgent.json()) as { error_code: string; error: string };
    assert.equal(body.error_code, 'invalid_request');
    assert.match(body.error, /x-leanctx-agent .* use 1-64 letters/);
  });
});
