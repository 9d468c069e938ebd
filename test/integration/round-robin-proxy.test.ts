import assert from 'node:assert/strict';
import { createServer, get, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';

interface Target {
  name: string;
  url: string;
  server: Server;
  /** Open SSE responses, so a test can write an event while the client waits. */
  streams: ServerResponse[];
  closedStreams: number;
}

async function startTarget(name: string): Promise<Target> {
  const target = { name, streams: [], closedStreams: 0 } as unknown as Target;
  target.server = createServer((req, res) => {
    if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': open\n\n');
      target.streams.push(res);
      res.once('close', () => {
        target.closedStreams += 1;
      });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.stringify({
        name,
        method: req.method,
        url: req.url,
        body: Buffer.concat(chunks).toString(),
      });
      res.writeHead(201, { 'content-type': 'application/json', 'x-target': name });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(target.server.address() as AddressInfo).port}`;
  return target;
}

const closeServer = (s: Server) =>
  new Promise<void>((resolve) => {
    s.closeAllConnections();
    s.close(() => resolve());
  });

describe('the round-robin test proxy', () => {
  let targets: Target[] = [];
  before(async () => {
    targets = await Promise.all(['a', 'b', 'c'].map(startTarget));
  });
  after(async () => {
    await Promise.all(targets.map((t) => closeServer(t.server)));
  });

  test('sends each new request to the next target in turn and passes method, path, body and status through', async () => {
    const proxy = await startRoundRobinProxy(targets.map((t) => t.url));
    try {
      const seen: string[] = [];
      for (let i = 0; i < 7; i++) {
        const res = await fetch(`${proxy.url}/echo/${i}?q=1`, { method: 'POST', body: `payload ${i}` });
        assert.equal(res.status, 201);
        const body = (await res.json()) as { name: string; method: string; url: string; body: string };
        assert.equal(res.headers.get('x-target'), body.name);
        assert.deepEqual(
          { method: body.method, url: body.url, body: body.body },
          { method: 'POST', url: `/echo/${i}?q=1`, body: `payload ${i}` },
        );
        seen.push(body.name);
      }
      assert.deepEqual(seen, ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
      assert.deepEqual(proxy.picks, [0, 1, 2, 0, 1, 2, 0]);
    } finally {
      await proxy.close();
    }
  });

  test('streams an SSE event to the client while the target keeps the response open, and closes the target side when the client leaves', async () => {
    const proxy = await startRoundRobinProxy([targets[0]?.url as string]);
    const target = targets[0] as Target;
    const closedBefore = target.closedStreams;
    try {
      const received: string[] = [];
      let onData: () => void = () => {};
      const req = get(`${proxy.url}/events`, (res) => {
        assert.equal(res.headers['content-type'], 'text/event-stream');
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          received.push(chunk);
          onData();
        });
      });
      const waitFor = (text: string) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no "${text}" in ${JSON.stringify(received)}`)),
            10_000,
          );
          onData = () => {
            if (received.join('').includes(text)) {
              clearTimeout(timer);
              resolve();
            }
          };
          onData();
        });
      await waitFor(': open');
      const stream = target.streams.at(-1) as ServerResponse;
      stream.write('id: 1\ndata: first\n\n');
      await waitFor('data: first');
      stream.write('id: 2\ndata: second\n\n');
      await waitFor('data: second');
      assert.equal(stream.writableEnded, false, 'the event arrived while the stream was still open');
      req.destroy();
      const deadline = Date.now() + 10_000;
      while (target.closedStreams === closedBefore && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(target.closedStreams, closedBefore + 1, 'the target saw its SSE client leave');
    } finally {
      await proxy.close();
    }
  });

  test('a target that refuses connections answers 502 with a JSON error envelope, and the next request moves on', async () => {
    const dead = await startTarget('dead');
    await closeServer(dead.server);
    const proxy = await startRoundRobinProxy([dead.url, targets[1]?.url as string]);
    try {
      const refused = await fetch(`${proxy.url}/x`);
      assert.equal(refused.status, 502);
      const body = (await refused.json()) as { error_code: string; message: string };
      assert.equal(body.error_code, 'bad_gateway');
      assert.match(body.message, /ECONNREFUSED/);
      const ok = await fetch(`${proxy.url}/x`);
      assert.equal(ok.status, 201);
      assert.equal(((await ok.json()) as { name: string }).name, 'b');
    } finally {
      await proxy.close();
    }
  });
});
