import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sandboxStatus } from '../../../src/engine/sandbox/sandbox.ts';
import { callTool, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

const status = await sandboxStatus();
const where = status.sandboxed ? 'sandboxed' : `sandbox unavailable here: ${status.detail}`;
let srv: RunningTestServer;
let peer: Server;
let peerPort = 0;

async function shell(command: string): Promise<{ text: string; isError: boolean }> {
  const res = await callTool(srv, 'dev', { name: 'ctx_shell', arguments: { command }, contextId: 'sb' });
  const body = (await res.json()) as {
    result?: { content: { text: string }[]; isError?: boolean };
    error?: string;
  };
  return {
    text: body.result?.content.map((c) => c.text).join('\n') ?? body.error ?? '',
    isError: body.result?.isError === true,
  };
}

before(async () => {
  peer = createServer((socket) => socket.end()).listen(0, '127.0.0.1');
  await new Promise((r) => peer.once('listening', r));
  peerPort = (peer.address() as AddressInfo).port;
  srv = await startTestServer({
    tokens: [{ id: 'dev', scopes: ['search', 'exec'] }],
    workspace: { allowExec: true, sandbox: true },
    extraWorkspaces: [{ id: 'other', files: { 'private.txt': 'not for you\n' } }],
  });
});
after(async () => {
  peer.close();
  await srv?.close();
});

test(`a workspace with sandbox: true runs ctx_shell in the sandbox: workspace writable, no network, nothing else visible, cd kept (${where})`, async () => {
  const config = JSON.parse(readFileSync(join(srv.dir, 'team.json'), 'utf8')) as {
    workspaces: { id: string; root: string }[];
  };
  const other = config.workspaces.find((w) => w.id === 'other')?.root as string;
  const r = await shell(
    `echo made > made.txt; cat ${other}/private.txt 2>/dev/null || echo "no other"; ` +
      `node -e "require('net').connect(${peerPort}, '127.0.0.1').on('connect', () => console.log('net connected')).on('error', (e) => console.log('net', e.code))"; ` +
      'mkdir -p sub; cd sub',
  );
  if (!status.sandboxed) {
    assert.equal(r.isError, true);
    assert.match(r.text, /sets sandbox: true, but this machine cannot sandbox/);
    return;
  }
  assert.equal(r.isError, false, r.text);
  assert.equal(readFileSync(join(srv.root, 'made.txt'), 'utf8'), 'made\n');
  assert.match(r.text, /no other/);
  assert.match(r.text, /net (ENETUNREACH|ECONNREFUSED)/);
  assert.match(r.text, /sandboxed: Linux namespaces/);
  const next = await shell('pwd');
  assert.match(next.text, new RegExp(`${srv.root}/sub`), 'the cd persisted across sandboxed calls');
  assert.ok(existsSync(join(srv.root, 'sub')));
});
