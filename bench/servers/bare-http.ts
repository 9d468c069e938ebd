// The peer of the http bench: the least a node:http JSON endpoint can do.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announceReady, closeOnSignal } from '../lib/server-process.ts';

const server = createServer((_req, res) => {
  const body = JSON.stringify({ hello: 'world' });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});

server.listen(0, '127.0.0.1', () => {
  announceReady({ port: (server.address() as AddressInfo).port });
});
closeOnSignal(
  () =>
    new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    }),
);
