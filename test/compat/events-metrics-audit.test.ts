import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/*
 * The decode rules of the original lean-ctx clients, written down from their sources:
 * - Rust (`clients/rust/lean-ctx-client`, serde): `id` i64, `workspaceId`, `channelId`,
 *   `kind`, `timestamp` strings are required; `actor` null|string, `version` an integer,
 *   `parentId` null|integer, `consistencyLevel` a string, `targetAgents` null|string[] may be
 *   left out but not be of another type; unknown fields are ignored. A frame that fails is
 *   skipped, so a stream of such frames blocks the client forever.
 * - TypeScript SDK (`cookbook/sdk`, `ContextEventV1`): the same fields, with `version` a
 *   number, `parentId` number|null present, `consistencyLevel` local|eventual|strong.
 * - All three (and Python's) split the body on a blank line ("\n\n"), join `data:` lines and
 *   skip comments; the TS and Python clients hand on any JSON object.
 */
type Json = Record<string, unknown>;

function rustDecodeError(e: Json): string | undefined {
  const isInt = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
  for (const key of ['workspaceId', 'channelId', 'kind', 'timestamp']) {
    if (typeof e[key] !== 'string') return `${key} must be a string`;
  }
  if (!isInt(e.id)) return 'id must be an integer';
  if ('actor' in e && e.actor !== null && typeof e.actor !== 'string')
    return 'actor must be null or a string';
  if ('version' in e && !isInt(e.version)) return 'version must be an integer';
  if ('parentId' in e && e.parentId !== null && !isInt(e.parentId))
    return 'parentId must be null or an integer';
  if ('consistencyLevel' in e && typeof e.consistencyLevel !== 'string')
    return 'consistencyLevel must be a string';
  if ('targetAgents' in e && e.targetAgents !== null && !Array.isArray(e.targetAgents)) {
    return 'targetAgents must be null or an array';
  }
  return undefined;
}

function tsSdkDecodeError(e: Json): string | undefined {
  if (typeof e.version !== 'number') return 'version must be a number';
  if (!('parentId' in e) || (e.parentId !== null && typeof e.parentId !== 'number')) {
    return 'parentId must be present, a number or null';
  }
  if (!['local', 'eventual', 'strong'].includes(String(e.consistencyLevel))) {
    return 'consistencyLevel must be local, eventual or strong';
  }
  if (e.actor !== undefined && e.actor !== null && typeof e.actor !== 'string')
    return 'actor must be a string';
  return undefined;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function assertContextEvent(e: Json, where: string): void {
  assert.equal(rustDecodeError(e), undefined, `${where}: the Rust client would skip it`);
  assert.equal(tsSdkDecodeError(e), undefined, `${where}: not a TS SDK ContextEventV1`);
  assert.match(String(e.timestamp), RFC3339, `${where}: timestamp is RFC 3339`);
}

interface SseFrame {
  id?: string;
  event?: string;
  data: Json;
}

/** Reads `GET /v1/events` the way the original clients do, until `until` holds. */
async function readStream(
  srv: RunningTestServer,
  as: string,
  query: string,
  until: (frames: SseFrame[]) => boolean,
  onOpen?: () => void,
): Promise<SseFrame[]> {
  const res = await srv.request(`/v1/events${query}`, { as, headers: { accept: 'text/event-stream' } });
  assert.equal(res.status, 200, `GET /v1/events${query}: ${res.status}`);
  onOpen?.();
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: SseFrame[] = [];
  let buf = '';
  const deadline = setTimeout(() => void reader.cancel(), 10_000);
  try {
    while (!until(frames)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += decoder.decode(value, { stream: true });
      for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
        const chunk = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const frame: Partial<SseFrame> = {};
        const data: string[] = [];
        for (const line of chunk.split('\n')) {
          const t = line.replace(/\r$/, '');
          if (t === '' || t.startsWith(':')) continue;
          if (t.startsWith('id:')) frame.id = t.slice(3).trim();
          else if (t.startsWith('event:')) frame.event = t.slice(6).trim();
          else if (t.startsWith('data:')) data.push(t.slice(5).trimStart());
        }
        if (data.length > 0) frames.push({ ...frame, data: JSON.parse(data.join('\n')) as Json });
      }
    }
  } finally {
    clearTimeout(deadline);
    await reader.cancel().catch(() => undefined);
  }
  return frames;
}

function auditLines(srv: RunningTestServer): Json[] {
  return readFileSync(srv.auditPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Json);
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never: ${what}`);
}

describe('compatibility with the original lean-ctx clients: events, metrics, audit', () => {
  let srv: RunningTestServer;
  const metricsJson = async () => (await (await srv.request('/v1/metrics', { as: 'admin' })).json()) as Json;

  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'admin', role: 'admin' },
        { id: 'watcher', scopes: ['search', 'knowledge', 'events'] },
        { id: 'reader', scopes: ['search'] },
      ],
    });
    const calls = [
      { name: 'ctx_read', arguments: { path: 'src/index.ts' }, channelId: 'feat' },
      {
        name: 'ctx_knowledge',
        arguments: { action: 'remember', category: 'ops', key: 'db', value: 'sqlite' },
        channelId: 'feat',
      },
      { name: 'ctx_tree', channelId: 'feat' },
    ];
    for (const body of calls) assert.equal((await callTool(srv, 'admin', body)).status, 200);
    // events are recorded after the answer: wait until all of them are stored
    await eventually(async () => {
      const r = await srv.request('/v1/events/search?q=ctx_tree&channelId=feat', { as: 'admin' });
      return ((await r.json()) as { count: number }).count > 0;
    }, 'the ctx_tree event is stored');
  });
  after(() => srv.close());

  test('every event frame decodes as ContextEventV1 in the Rust and TS clients; the data id is the SSE id', async () => {
    const frames = await readStream(srv, 'watcher', '?channelId=feat', (f) =>
      f.some((x) => x.data.kind === 'tool_call_recorded' && (x.data.payload as Json).tool === 'ctx_tree'),
    );
    assert.ok(frames.length >= 4);
    for (const f of frames) {
      assertContextEvent(f.data, `frame ${f.id}`);
      assert.equal(String(f.data.id), f.id, 'data.id is the SSE id: line');
      assert.equal(f.data.kind, f.event, 'the SSE event: is the kind');
      assert.equal(f.data.workspaceId, 'main');
      assert.equal(f.data.channelId, 'feat');
    }
    assert.equal(frames[0]?.data.id, 1, 'a replay starts with the first stored event');
    const kinds = frames.map((f) => f.data.kind);
    assert.ok(kinds.includes('tool_call_recorded'));
    assert.ok(
      kinds.includes('knowledge_remembered'),
      `the original kind for a knowledge write: ${kinds.join(', ')}`,
    );
    const recorded = frames.find((f) => f.data.kind === 'tool_call_recorded');
    assert.equal(recorded?.data.consistencyLevel, 'local');
    assert.equal(
      frames.find((f) => f.data.kind === 'knowledge_remembered')?.data.consistencyLevel,
      'eventual',
    );
  });

  test('payloads are references with redacted: true without the audit scope, whole with it', async () => {
    const isRead = (f: SseFrame) =>
      f.data.kind === 'tool_call_recorded' && (f.data.payload as Json).tool === 'ctx_read';
    const [watcher] = (await readStream(srv, 'watcher', '?channelId=feat', (f) => f.some(isRead))).filter(
      isRead,
    );
    const [admin] = (await readStream(srv, 'admin', '?channelId=feat', (f) => f.some(isRead))).filter(isRead);
    const refs = watcher?.data.payload as Json;
    assert.equal(refs.redacted, true);
    assert.equal(refs.path, 'src/index.ts');
    assert.equal(refs.tokensSent, undefined, 'token figures need the audit scope');
    const full = admin?.data.payload as Json;
    assert.equal(full.redacted, undefined);
    assert.equal(typeof full.tokensSent, 'number');
  });

  test('since=undefined, since=null and since= mean no since (a negative since too); since resumes after an id; a bad since is a 400', async () => {
    const all = await readStream(srv, 'watcher', '?channelId=feat', (f) => f.length >= 4);
    for (const since of ['undefined', 'null', '', '-1']) {
      const frames = await readStream(srv, 'watcher', `?channelId=feat&since=${since}`, (f) => f.length >= 4);
      assert.deepEqual(
        frames.map((f) => f.data.id),
        all.map((f) => f.data.id),
        `since=${since}`,
      );
    }
    const resumed = await readStream(srv, 'watcher', '?channelId=feat&since=2', (f) => f.length >= 1);
    assert.equal(resumed[0]?.data.id, 3);
    const bad = await srv.request('/v1/events?since=yesterday', { as: 'watcher' });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as Json;
    assert.equal(body.error_code, 'invalid_request');
    assert.match(String(body.error), /since/);
  });

  test('limit bounds the replay; the gap is an event the Rust client decodes, then live events follow', async () => {
    let fired = false;
    const frames = await readStream(
      srv,
      'watcher',
      '?channelId=feat&limit=2',
      (f) => f.some((x) => (x.data.payload as Json | undefined)?.path === 'README.md'),
      () => {
        // a live call once the stream is open
        setTimeout(() => {
          fired = true;
          void callTool(srv, 'admin', {
            name: 'ctx_read',
            arguments: { path: 'README.md' },
            channelId: 'feat',
          });
        }, 100);
      },
    );
    assert.ok(fired);
    assert.deepEqual(
      frames.slice(0, 2).map((f) => f.data.id),
      [1, 2],
    );
    const notice = frames[2];
    assert.equal(notice?.data.kind, 'replay_truncated');
    assertContextEvent(notice?.data ?? {}, 'the replay_truncated notice');
    const gap = notice?.data.payload as Json;
    assert.equal(gap.reason, 'limit');
    assert.equal(gap.skippedFrom, 3);
    assert.equal(notice?.data.id, gap.skippedThrough);
    const live = frames.at(-1);
    assert.ok(Number(live?.data.id) > Number(gap.skippedThrough), 'live events come after the gap');
    assertContextEvent(live?.data ?? {}, 'the live event');
  });

  test('GET /v1/events/search answers {query, workspaceId, channelId, results, count} with ContextEventV1 results', async () => {
    const res = await srv.request('/v1/events/search?q=ctx_read%20src&channelId=feat&limit=5', {
      as: 'watcher',
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      query: string;
      workspaceId: string;
      channelId: string;
      results: Json[];
      count: number;
    };
    assert.equal(body.query, 'ctx_read src');
    assert.equal(body.workspaceId, 'main');
    assert.equal(body.channelId, 'feat');
    assert.equal(body.count, body.results.length);
    assert.ok(body.count >= 1);
    for (const e of body.results) {
      assertContextEvent(e, 'a search result');
      assert.equal((e.payload as Json).path, 'src/index.ts');
    }
    const anyChannel = (await (
      await srv.request('/v1/events/search?q=ctx_tree', { as: 'watcher' })
    ).json()) as Json;
    assert.equal(anyChannel.channelId, null);
    assert.equal(anyChannel.count, 1);
    const hidden = (await (
      await srv.request('/v1/events/search?q=tokensSent', { as: 'watcher' })
    ).json()) as Json;
    assert.equal(hidden.count, 0, 'no match on a field the token cannot see');
    assert.equal((await srv.request('/v1/events/search', { as: 'watcher' })).status, 400);
    assert.equal(
      (await srv.request(`/v1/events/search?q=${'x'.repeat(201)}`, { as: 'watcher' })).status,
      400,
    );
    assert.equal((await srv.request('/v1/events/search?q=a', { as: 'reader' })).status, 403);
  });

  test('GET /v1/events/lineage answers {eventId, chain, depth}', async () => {
    const res = await srv.request('/v1/events/lineage?id=2&channelId=feat', { as: 'watcher' });
    const body = (await res.json()) as { eventId: number; chain: Json[]; depth: number };
    assert.equal(body.eventId, 2);
    assert.equal(body.depth, 1);
    assert.equal(body.chain[0]?.id, 2);
    assertContextEvent(body.chain[0] ?? {}, 'a lineage link');
    const none = (await (
      await srv.request('/v1/events/lineage?id=999&channelId=feat', { as: 'watcher' })
    ).json()) as Json;
    assert.deepEqual(none.chain, []);
    assert.equal((await srv.request('/v1/events/lineage?id=x', { as: 'watcher' })).status, 400);
    assert.equal((await srv.request('/v1/events/lineage?id=1', { as: 'reader' })).status, 403);
  });

  test('GET /v1/metrics carries the original MetricsSnapshot and slo, counting what happened', async () => {
    const before = await metricsJson();
    for (const key of [
      'eventsAppended',
      'eventsBroadcast',
      'eventsReplayed',
      'sseConnectionsActive',
      'sseConnectionsTotal',
      'sharedSessionsLoaded',
      'sharedSessionsPersisted',
      'activeWorkspaceCount',
    ]) {
      assert.ok(Number.isInteger(before[key]) && (before[key] as number) >= 0, `${key} is a count`);
    }
    const slo = before.slo as Json;
    for (const key of [
      'p50_ms',
      'p95_ms',
      'p99_ms',
      'availability_pct',
      'requests_total',
      'errors_total',
      'window_len',
    ]) {
      assert.equal(typeof slo[key], 'number', `slo.${key}`);
    }
    assert.ok('index_lag_seconds' in slo && 'uptime_seconds' in slo);
    assert.ok(Array.isArray(before.metrics), 'our own metrics stay');
    assert.ok((before.activeWorkspaceCount as number) >= 1);

    const streamsClosed = async () => {
      let m: Json = {};
      await eventually(async () => {
        m = await metricsJson();
        return m.sseConnectionsActive === 0;
      }, 'every stream is closed');
      return m;
    };
    await readStream(srv, 'watcher', '?channelId=feat', (f) => f.length >= 3);
    const broadcastBefore = (await streamsClosed()).eventsBroadcast as number;
    // nobody listens on "quiet": appended, not broadcast
    assert.equal((await callTool(srv, 'admin', { name: 'ctx_tree', channelId: 'quiet' })).status, 200);
    const live = await readStream(
      srv,
      'watcher',
      '?channelId=live',
      (f) => f.some((x) => x.data.kind === 'tool_call_recorded'),
      () => setTimeout(() => void callTool(srv, 'admin', { name: 'ctx_tree', channelId: 'live' }), 100),
    );
    assert.deepEqual(
      live.map((f) => f.data.kind),
      ['agent_joined', 'tool_call_recorded'],
    );
    const afterStreams = await streamsClosed();
    assert.equal(afterStreams.sseConnectionsTotal, (before.sseConnectionsTotal as number) + 2);
    assert.equal(afterStreams.eventsBroadcast, broadcastBefore + 2, 'only the events a stream listened for');

    const write = await callTool(srv, 'admin', {
      name: 'ctx_session',
      arguments: { action: 'finding', value: 'counted' },
      channelId: 'feat',
    });
    assert.equal(write.status, 200);
    let after: Json = {};
    await eventually(async () => {
      after = await metricsJson();
      return (after.eventsAppended as number) > (afterStreams.eventsAppended as number);
    }, 'the session write is counted');
    assert.ok((after.eventsReplayed as number) >= (before.eventsReplayed as number) + 3);
    assert.ok((after.sharedSessionsPersisted as number) > (before.sharedSessionsPersisted as number));
    assert.ok(((after.slo as Json).requests_total as number) > (slo.requests_total as number));

    const text = await (await srv.request('/v1/metrics?format=prometheus', { as: 'admin' })).text();
    assert.match(text, /^leanctx_team_requests_total \d+$/m);
    assert.match(text, /^leanctx_team_request_duration_p95_ms \d+$/m);
    assert.match(text, /^leanctx_team_availability_pct 100$/m);
    assert.match(text, /^leanctx_team_uptime_seconds \d+$/m);
    assert.doesNotMatch(text, /^leanctx_team_index_lag_seconds \d/m, 'no index lag before an index write');
    assert.match(text, /^leanctx_tool_calls_total\{/m, 'our series stay');
  });

  test('audit lines carry method "/v1/tools/call", allowed, deniedReason and the original argumentsMd5', async () => {
    const args = { path: 'src/index.ts', mode: 'full' };
    assert.equal(
      (await callTool(srv, 'watcher', { name: 'ctx_read', arguments: args, channelId: 'feat' })).status,
      200,
    );
    const line = auditLines(srv).findLast((l) => l.tool === 'ctx_read' && l.tokenId === 'watcher');
    assert.equal(line?.method, '/v1/tools/call');
    assert.equal(line?.allowed, true);
    assert.equal(line?.deniedReason, null);
    // serde_json's compact form, keys in byte order, with the workspaceId, channelId and
    // agentId the original set before hashing
    assert.equal(
      line?.argumentsMd5,
      md5(
        '{"agentId":"team:watcher","channelId":"feat","mode":"full","path":"src/index.ts","workspaceId":"main"}',
      ),
    );
    assert.equal(line?.requestId !== undefined && line?.status, 200, 'our fields stay');

    assert.equal(
      (await callTool(srv, 'reader', { name: 'ctx_session', arguments: { action: 'finding', value: 'x' } }))
        .status,
      403,
    );
    const denied = auditLines(srv).findLast((l) => l.tokenId === 'reader');
    assert.equal(denied?.allowed, false);
    assert.equal(denied?.deniedReason, 'scope_denied');
    assert.equal(
      denied?.argumentsMd5,
      md5('{"action":"finding","agentId":"team:reader","value":"x","workspaceId":"main"}'),
    );

    assert.equal((await callTool(srv, 'admin', { name: 'ctx_tree', workspaceId: 'nowhere' })).status, 400);
    const unknown = auditLines(srv).findLast((l) => l.deniedReason === 'unknown_workspace');
    assert.equal(unknown?.argumentsMd5, '', 'no arguments and no known workspace: nothing was hashed');
  });

  test('an MCP tools/call without arguments audits method "tools/call" and an empty argumentsMd5', async () => {
    const client = new Client({ name: 'compat', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${srv.tokens.admin}` } },
    });
    await client.connect(transport);
    try {
      await client.callTool({ name: 'ctx_tree' });
      await client.callTool({ name: 'ctx_read', arguments: { path: 'README.md' } });
    } finally {
      await client.close();
    }
    const mcp = auditLines(srv).filter((l) => l.method === 'tools/call');
    assert.equal(mcp.find((l) => l.tool === 'ctx_tree')?.argumentsMd5, '');
    assert.equal(mcp.find((l) => l.tool === 'ctx_read')?.argumentsMd5, md5('{"path":"README.md"}'));
  });

  test('GET /v1/events and GET /v1/metrics are audited as "events" and "metrics", allowed or not', async () => {
    await readStream(srv, 'watcher', '?channelId=feat', (f) => f.length >= 1);
    assert.equal((await srv.request('/v1/events', { as: 'reader' })).status, 403);
    assert.equal((await srv.request('/v1/metrics', { as: 'watcher' })).status, 403);
    await metricsJson();
    const lines = auditLines(srv);
    const events = lines.filter((l) => l.method === 'events');
    assert.ok(
      events.some(
        (l) =>
          l.tokenId === 'watcher' &&
          l.allowed === true &&
          l.channelId === 'feat' &&
          l.eventKind === 'sse_subscribe' &&
          l.eventId === 0,
      ),
    );
    assert.ok(
      events.some((l) => l.tokenId === 'reader' && l.allowed === false && l.deniedReason === 'scope_denied'),
    );
    const metrics = lines.filter((l) => l.method === 'metrics');
    assert.ok(metrics.some((l) => l.tokenId === 'admin' && l.allowed === true && l.argumentsMd5 === ''));
    assert.ok(metrics.some((l) => l.tokenId === 'watcher' && l.deniedReason === 'scope_denied'));
  });
});
