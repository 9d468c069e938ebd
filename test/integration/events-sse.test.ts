import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readFrames } from '../helpers/sse.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

describe('GET /v1/events (SSE)', () => {
  let srv: RunningTestServer;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'bob', scopes: ['search', 'events'] },
        { id: 'reader', scopes: ['search'] },
      ],
      keepAliveMs: 100,
    });
  });
  after(() => srv.close());

  test('replays a channel after `since`, then streams live events, with keep-alives', async () => {
    await callTool(srv, 'alice', {
      name: 'ctx_read',
      arguments: { path: 'src/index.ts' },
      channelId: 'feat',
    });
    await callTool(srv, 'alice', { name: 'ctx_tree', channelId: 'feat' });
    await callTool(srv, 'alice', { name: 'ctx_tree', channelId: 'other' });

    const res = await srv.request('/v1/events?channelId=feat&since=0', { as: 'bob' });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    setTimeout(() => void callTool(srv, 'bob', { name: 'ctx_tree', channelId: 'feat' }), 150);
    const frames = await readFrames(
      res,
      (f) => f.filter((x) => x.event === 'tool_call_recorded').length >= 3 && f.some((x) => x.comment),
    );
    const events = frames.filter((f) => f.event);
    assert.deepEqual(
      events.map((e) => e.event),
      ['agent_joined', 'tool_call_recorded', 'tool_call_recorded', 'agent_joined', 'tool_call_recorded'],
    );
    assert.deepEqual(
      events.map((e) => Number(e.id)),
      [1, 2, 3, 4, 5],
      'ids are the channel revision',
    );
    const first = JSON.parse(events[1]?.data ?? '{}');
    assert.equal(first.payload.tool, 'ctx_read');
    assert.equal(first.payload.path, 'src/index.ts');
    assert.ok(!JSON.stringify(events).includes('return 42'), 'no file contents in events');
    assert.equal(JSON.parse(events[4]?.data ?? '{}').actor, 'bob');
    assert.ok(frames.some((f) => f.comment === 'keep-alive'));
  });

  test('Last-Event-ID resumes after the given revision', async () => {
    const res = await srv.request('/v1/events?channelId=feat', {
      as: 'bob',
      headers: { 'last-event-id': '3' },
    });
    const frames = await readFrames(res, (f) => f.filter((x) => x.event).length >= 2);
    assert.deepEqual(
      frames.filter((f) => f.event).map((f) => Number(f.id)),
      [4, 5],
    );
  });

  test('needs the events scope; a bad since is a 400', async () => {
    const denied = await srv.request('/v1/events', { as: 'reader' });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error_code: string }).error_code, 'scope_denied');
    const bad = await srv.request('/v1/events?since=abc', { as: 'bob' });
    assert.equal(bad.status, 400);
  });

  test('GET /v1/sessions lists channels with revision and agents', async () => {
    const res = await srv.request('/v1/sessions', { as: 'reader' });
    const body = (await res.json()) as {
      channels: { channelId: string; revision: number; agents: string[] }[];
    };
    const feat = body.channels.find((c) => c.channelId === 'feat');
    assert.equal(feat?.revision, 5);
    assert.deepEqual(feat?.agents, ['alice', 'bob']);
  });

  test('GET /v1/metrics in JSON and Prometheus text, and GET /v1/audit, need the audit scope', async () => {
    const prom = await srv.request('/v1/metrics?format=prometheus', { as: 'alice' });
    const text = await prom.text();
    assert.match(prom.headers.get('content-type') ?? '', /text\/plain/);
    assert.match(text, /leanctx_tool_calls_total\{tool="ctx_tree",outcome="ok"\} \d+/);
    assert.match(text, /leanctx_http_request_duration_seconds_bucket/);
    const json = (await (await srv.request('/v1/metrics', { as: 'alice' })).json()) as {
      metrics: { name: string }[];
    };
    assert.ok(json.metrics.some((m) => m.name === 'leanctx_events_appended_total'));
    const audit = (await (await srv.request('/v1/audit?limit=2', { as: 'alice' })).json()) as {
      entries: unknown[];
    };
    assert.equal(audit.entries.length, 2);
    assert.equal((await srv.request('/v1/audit', { as: 'bob' })).status, 403);
  });
});
