import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { startTestServer } from '../helpers/team-server.ts';

/** Writes `head` on a raw socket and collects what the server sends until it closes. */
function rawExchange(port: number, head: string, opts: { keepOpenMs?: number } = {}) {
  return new Promise<{ text: string; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      text += c;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ text, ms: Date.now() - started }));
    socket.write(head);
    if (opts.keepOpenMs === undefined) return;
    const timer = setTimeout(() => socket.destroy(), opts.keepOpenMs);
    socket.on('close', () => clearTimeout(timer));
  });
}

const envelopeOf = (text: string) =>
  JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, string>;

test('a body that stalls gets 408 read_timeout as JSON within requestReadTimeoutMs, not after 300 s', async () => {
  const srv = await startTestServer({ config: { requestReadTimeoutMs: 1000 } });
  try {
    const port = Number(new URL(srv.url).port);
    const { text, ms } = await rawExchange(
      port,
      `POST /v1/tools/call HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${srv.tokens.alice}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`,
      { keepOpenMs: 30_000 },
    );
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.equal(envelopeOf(text).error_code, 'read_timeout');
    assert.ok(ms < 10_000, `closed after ${ms} ms`);
    const slowHeaders = await rawExchange(port, 'GET /v1/manifest HTTP/1.1\r\nHost: 127.0.0.1\r\n', {
      keepOpenMs: 30_000,
    });
    assert.match(slowHeaders.text, /^HTTP\/1\.1 408 /);
    assert.equal((await srv.request('/v1/manifest', { as: 'alice' })).status, 200, 'others are served');
  } finally {
    await srv.close();
  }
});

test('oversized headers and malformed requests get the JSON envelope too', async () => {
  const srv = await startTestServer();
  try {
    const port = Number(new URL(srv.url).port);
    const big = await rawExchange(
      port,
      `GET /v1/manifest HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.match(big.text, /^HTTP\/1\.1 431 /);
    assert.equal(envelopeOf(big.text).error_code, 'headers_too_large');
    const garbage = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
    assert.match(garbage.text, /^HTTP\/1\.1 400 /);
    assert.equal(envelopeOf(garbage.text).error_code, 'invalid_request');
  } finally {
    await srv.close();
  }
});
