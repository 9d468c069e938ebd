import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTokenSecret, sha256Hex } from '../../src/auth/tokens.ts';
import { parseTeamConfig } from '../../src/config/team-config.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

interface Frame {
  id?: string;
  event?: string;
  data?: string;
}

/** Opens GET /v1/events and collects frames until `until` holds or the stream ends. */
async function readEvents(
  srv: RunningTestServer,
  as: string,
  query: string,
  until: (frames: Frame[]) => boolean,
  signal?: AbortSignal,
): Promise<{ frames: Frame[]; ended: boolean }> {
  const res = await srv.request(`/v1/events${query}`, { as, signal });
  if (res.status !== 200) assert.fail(`GET /v1/events${query}: ${res.status} ${await res.text()}`);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buf = '';
  let ended = false;
  while (!until(frames)) {
    const { value, done } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buf += decoder.decode(value, { stream: true });
    for (let cut = buf.indexOf('\n\n'); cut >= 0; cut = buf.indexOf('\n\n')) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      if (block.startsWith(':')) continue;
      const frame: Frame = {};
      for (const line of block.split('\n')) {
        const i = line.indexOf(':');
        frame[line.slice(0, i) as keyof Frame] = line.slice(i + 1).trimStart();
      }
      frames.push(frame);
    }
  }
  if (!ended) await reader.cancel();
  return { frames, ended };
}

const publish = (srv: RunningTestServer, n: number, payload: Record<string, unknown> = {}) =>
  Promise.all(
    Array.from({ length: n }, (_, i) =>
      srv.server.deps.hub.publish({
        workspaceId: 'main',
        channelId: 'main',
        kind: 'tool_call_recorded',
        actor: 'alice',
        payload: { tool: 'ctx_read', n: i, ...payload },
      }),
    ),
  );

async function sseClients(srv: RunningTestServer): Promise<number> {
  return (await srv.server.deps.metrics.sseClients.get()).values[0]?.value ?? 0;
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never happened: ${what}`);
}

describe('event streams are bounded', () => {
  test('a revoked token loses its open event stream', async () => {
    const srv = await startTestServer();
    try {
      const stream = readEvents(srv, 'alice', '', () => false);
      await eventually(async () => (await sseClients(srv)) === 1, 'the stream is open');
      const cfg = srv.server.deps.state.config();
      const next = parseTeamConfig(
        {
          port: 0,
          auditLogPath: cfg.auditLogPath,
          dataDir: cfg.dataDir,
          workspaces: [{ id: 'main', root: srv.root }],
          tokens: [
            {
              id: 'alice',
              sha256Hex: sha256Hex(srv.tokens.alice as string),
              role: 'admin',
              revokedAt: new Date().toISOString(),
            },
            { id: 'bob', sha256Hex: sha256Hex(createTokenSecret('bob')), role: 'admin' },
          ],
        },
        srv.dir,
      );
      await srv.server.reload(next);
      const { ended } = await stream;
      assert.equal(ended, true, 'the server ended the stream');
      await eventually(async () => (await sseClients(srv)) === 0, 'no stream is left');
    } finally {
      await srv.close();
    }
  });

  test('a client that stops reading is dropped once maxQueuedEventsPerStream events wait for it', async () => {
    const srv = await startTestServer({ config: { maxQueuedEventsPerStream: 50 } });
    try {
      const url = new URL(srv.url);
      const socket = connect(Number(url.port), '127.0.0.1');
      let closed = false;
      socket.on('close', () => {
        closed = true;
      });
      socket.on('error', () => {});
      socket.write(
        `GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${url.port}\r\nAuthorization: Bearer ${srv.tokens.alice}\r\n\r\n`,
      );
      socket.pause(); // reads nothing from here on, like a hung client
      await eventually(async () => (await sseClients(srv)) === 1, 'the stream is open');
      const pad = 'x'.repeat(3000);
      let sent = 0;
      while (!closed && (await sseClients(srv)) > 0 && sent < 40_000) {
        await publish(srv, 500, { pad });
        sent += 500;
      }
      await eventually(async () => (await sseClients(srv)) === 0, 'the stalled stream was dropped');
      assert.ok(sent < 40_000, `dropped after ${sent} events`);
      socket.resume(); // what the kernel still buffers drains, then the server's end arrives
      await eventually(async () => closed, 'its connection was closed');
    } finally {
      await srv.close();
    }
  });

  test('event streams per token are capped with too_many_sessions', async () => {
    const srv = await startTestServer({ config: { maxEventStreamsPerToken: 2 } });
    try {
      const stop = new AbortController();
      const a = readEvents(srv, 'alice', '', () => false, stop.signal);
      const b = readEvents(srv, 'alice', '', () => false, stop.signal);
      await eventually(async () => (await sseClients(srv)) === 2, 'two streams are open');
      const third = await srv.request('/v1/events', { as: 'alice' });
      assert.equal(third.status, 429);
      assert.equal(((await third.json()) as { error_code: string }).error_code, 'too_many_sessions');
      stop.abort();
      await Promise.allSettled([a, b]);
      await eventually(async () => (await sseClients(srv)) === 0, 'both streams closed');
      assert.equal(
        (await srv.request('/v1/events?since=999', { as: 'alice', signal: AbortSignal.timeout(2000) }))
          .status,
        200,
      );
    } finally {
      await srv.close();
    }
  });

  test('a replay sends the oldest events after since, at most maxReplayEvents, then says what it skipped', async () => {
    const srv = await startTestServer({ config: { maxReplayEvents: 10 } });
    try {
      await publish(srv, 30);
      const { frames } = await readEvents(srv, 'alice', '?since=0&limit=50', (f) => f.length >= 11);
      assert.deepEqual(
        frames.slice(0, 10).map((f) => Number(f.id)),
        Array.from({ length: 10 }, (_, i) => 1 + i),
      );
      assert.equal(frames[10]?.event, 'replay_truncated');
      assert.equal(frames[10]?.id, '30', 'the notice stands for the last id it skipped');
      const notice = JSON.parse(frames[10]?.data ?? '{}');
      assert.deepEqual(notice.payload, {
        reason: 'limit',
        since: 0,
        skippedFrom: 11,
        skippedThrough: 30,
        limit: 10,
      });
      assert.equal(notice.id, 30);
      assert.equal(notice.kind, 'replay_truncated');
      const next = await readEvents(srv, 'alice', '?since=10&limit=5', (f) => f.length >= 6);
      assert.deepEqual(
        next.frames.map((f) => f.id),
        ['11', '12', '13', '14', '15', '30'],
        'resuming from the last id seen continues the replay, limit caps each',
      );
    } finally {
      await srv.close();
    }
  });

  test('events past maxEventsPerChannel are removed at start; revisions keep counting', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'events-retention-')), 'data');
    const first = await startTestServer({ config: { dataDir } });
    await publish(first, 20);
    await first.close();
    const srv = await startTestServer({ config: { dataDir, maxEventsPerChannel: 5 } });
    try {
      const { frames } = await readEvents(srv, 'alice', '?since=0', (f) => f.length >= 6);
      assert.equal(frames[0]?.event, 'replay_truncated');
      assert.deepEqual(
        frames.slice(1).map((f) => Number(f.id)),
        [16, 17, 18, 19, 20],
      );
      const [next] = await publish(srv, 1);
      assert.equal(next?.revision, 21);
    } finally {
      await srv.close();
    }
  });

  test('event payloads carry short printable references only; state files are owner-only', async () => {
    const srv = await startTestServer();
    try {
      await publish(srv, 1, { blob: 'y'.repeat(10_000) });
      await callTool(srv, 'alice', { name: 'ctx_read', arguments: { path: 'README.md\u0007' } });
      await callTool(srv, 'alice', { name: 'ctx_read', arguments: { path: 'README.md' } });
      const { frames } = await readEvents(srv, 'alice', '?since=0', (f) =>
        f.some((x) => x.data?.includes('"path":"README.md"')),
      );
      const payloads = frames.map((f) => JSON.parse(f.data ?? '{}').payload as Record<string, unknown>);
      assert.match(String(payloads[0]?.omitted), /over 4096/);
      const reads = payloads.filter((p) => p.tool === 'ctx_read');
      assert.equal(reads.length, 2);
      assert.equal(reads[0]?.path, undefined, 'a path with a control character is not passed on');
      assert.equal(reads[1]?.path, 'README.md');
      const db = join(srv.server.deps.state.config().dataDir, 'leanctx.db');
      assert.equal(statSync(db).mode & 0o777, 0o600);
      assert.equal(statSync(`${db}-wal`).mode & 0o777, 0o600);
      await callTool(srv, 'alice', { name: 'ctx_semantic_search', arguments: { query: 'main' } });
      const workspaceState = join(srv.server.deps.state.config().dataDir, 'workspaces', 'main');
      assert.equal(statSync(join(workspaceState, 'bm25.sqlite')).mode & 0o777, 0o600);
      assert.equal(statSync(workspaceState).mode & 0o777, 0o700);
      const badChannel = await srv.request('/v1/events', {
        as: 'alice',
        headers: { 'x-leanctx-channel': 'c'.repeat(200) },
      });
      assert.equal(badChannel.status, 400);
    } finally {
      await srv.close();
    }
  });
});
