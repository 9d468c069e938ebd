import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type SandboxStatus, sandboxStatus } from '../../../src/engine/sandbox/sandbox.ts';
import { callTool, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

let srv: RunningTestServer;
// probed before the tests are declared: their titles say whether this machine can sandbox
const status: SandboxStatus = await sandboxStatus();
let peer: Server;
let peerPort = 0;
const SECRET_ENV = 'LEANCTX_TEST_SECRET_IN_SERVER_ENV';

interface Answer {
  status: number;
  text: string;
  isError: boolean;
  code: string | undefined;
}

async function call(
  name: string,
  args: Record<string, unknown>,
  token = 'dev',
  target = srv,
): Promise<Answer> {
  const res = await callTool(target, token, { name, arguments: args, contextId: 'x' });
  const body = (await res.json()) as {
    result?: { content: { text: string }[]; isError?: boolean };
    error_code?: string;
    error?: string;
  };
  return {
    status: res.status,
    text: body.result?.content.map((c) => c.text).join('\n') ?? body.error ?? '',
    isError: body.result?.isError === true,
    code: body.error_code,
  };
}
const execute = (args: Record<string, unknown>, token = 'dev') => call('ctx_execute', args, token);

/** A sandbox test names in its title whether this machine could sandbox, and why not. */
const where = () => (status.sandboxed ? 'sandboxed' : `sandbox unavailable here: ${status.detail}`);

before(async () => {
  process.env[SECRET_ENV] = 's3cret-value';
  peer = createServer((_req, res) => res.end('reached')).listen(0, '127.0.0.1');
  await new Promise((r) => peer.once('listening', r));
  peerPort = (peer.address() as AddressInfo).port;
  srv = await startTestServer({
    tokens: [
      { id: 'dev', scopes: ['search', 'exec'] },
      { id: 'reader', scopes: ['search'] },
    ],
    workspace: { allowExec: true },
    extraWorkspaces: [{ id: 'other', files: { 'private.txt': 'other workspace secret\n' } }],
  });
  writeFileSync(
    join(srv.root, 'hello.py'),
    'import sys\nprint("from a file", sys.argv[0].endswith("hello.py"))\n',
  );
});

after(async () => {
  delete process.env[SECRET_ENV];
  peer.close();
  await srv?.close();
});

test('javascript, typescript, python and shell run, and the answer says how it was held', async () => {
  const js = await execute({
    language: 'javascript',
    code: 'console.log([1, 2, 3].map((x) => x * 2).join(","))',
  });
  assert.equal(js.isError, false, js.text);
  assert.match(js.text, /^2,4,6$/m);
  assert.match(js.text, /exit 0/);
  assert.ok(js.text.includes(status.detail), `the answer names the sandbox state: ${js.text}`);

  const ts = await execute({
    language: 'typescript',
    code: 'interface P { x: number }\nconst p: P = { x: 41 };\nconsole.log(`ts ${p.x + 1}`);',
  });
  assert.match(ts.text, /^ts 42$/m, ts.text);

  const esm = await execute({
    language: 'javascript',
    code: "import { sep } from 'node:path';\nawait Promise.resolve();\nconsole.log('esm', sep);",
  });
  assert.match(esm.text, /^esm \/$/m, esm.text);

  const py = await execute({ language: 'python', code: 'print(sum(range(10)))' });
  assert.match(py.text, /^45$/m, py.text);
  assert.match(py.text, /Python 3/);

  const sh = await execute({ language: 'shell', code: 'echo "$((6 * 7))"; exit 3' });
  assert.match(sh.text, /^42$/m);
  assert.match(sh.text, /exit 3/);

  const file = await execute({ action: 'file', path: 'hello.py' });
  assert.match(file.text, /^from a file True$/m, file.text);

  const batch = await execute({
    action: 'batch',
    items: JSON.stringify([
      { language: 'javascript', code: 'console.log("one")' },
      { language: 'python', code: 'print("two")' },
    ]),
  });
  assert.match(batch.text, /## 1\/2 javascript\none/);
  assert.match(batch.text, /## 2\/2 python\ntwo/);
});

test('the server environment stays out: only an allow-list reaches the code', async () => {
  assert.equal(process.env[SECRET_ENV], 's3cret-value');
  const r = await execute({
    language: 'shell',
    code: `echo "secret=[\${${SECRET_ENV}:-}]"; echo "home=$HOME"`,
  });
  assert.match(r.text, /^secret=\[\]$/m, r.text);
});

test('bad input: missing code, unknown path, unknown extension, a toolchain that is not installed', async () => {
  assert.match((await execute({ language: 'python' })).text, /give code/);
  assert.match((await execute({ code: 'x' })).text, /give language/);
  assert.match((await execute({ action: 'file', path: 'nope.py' })).text, /not a file in the workspace/);
  writeFileSync(join(srv.root, 'data.xyz'), 'x');
  assert.match((await execute({ action: 'file', path: 'data.xyz' })).text, /cannot tell the language/);
  const outside = await execute({ action: 'file', path: '../../etc/passwd' });
  assert.ok(
    outside.isError || outside.status !== 200,
    `a path outside the workspace is refused: ${outside.text}`,
  );
  assert.match(outside.text, /outside|escapes|workspace/);
  const onPath = (p: string) => (process.env.PATH ?? '').split(':').some((d) => d && existsSync(join(d, p)));
  const missing = (['elixir', 'r', 'php', 'ruby', 'go'] as const).find(
    (l) => !onPath({ elixir: 'elixir', r: 'Rscript', php: 'php', ruby: 'ruby', go: 'go' }[l]),
  );
  if (missing) {
    const r = await execute({ language: missing, code: 'x' });
    assert.equal(r.isError, true);
    assert.match(r.text, new RegExp(`${missing} is not available on this server: no .* on the PATH`));
  } else {
    assert.fail('every optional toolchain is installed here; pick another missing one for this test');
  }
});

test('policy: the exec scope is needed', async () => {
  const r = await execute({ language: 'javascript', code: 'console.log(1)' }, 'reader');
  assert.equal(r.status, 403);
  assert.equal(r.code, 'scope_denied');
});

test(`the network is unreachable from the code (${where()})`, async (t) => {
  const direct = await fetch(`http://127.0.0.1:${peerPort}/`).then((r) => r.text());
  assert.equal(direct, 'reached', 'the peer answers from outside');
  const code = `fetch('http://127.0.0.1:${peerPort}/').then(r => r.text()).then(b => console.log('got', b), e => console.log('network error', e.cause?.code ?? e.message))`;
  const r = await execute({ language: 'javascript', code });
  t.diagnostic(r.text);
  if (status.sandboxed) {
    assert.match(r.text, /network error (ENETUNREACH|ECONNREFUSED|EAI_AGAIN)/, r.text);
  } else {
    assert.match(r.text, /UNSANDBOXED/);
  }
});

test(`writes: the workspace is read-only unless write is given, the host /tmp and system dirs are never written (${where()})`, async () => {
  const tmpMark = `/tmp/leanctx-exec-mark-${process.pid}`;
  const code = [
    `for p in made.txt /etc/leanctx-exec-test ${tmpMark}; do`,
    '  if echo x > "$p" 2>/dev/null; then echo "wrote $p"; else echo "refused $p"; fi',
    'done',
  ].join('\n');
  const ro = await execute({ language: 'shell', code });
  if (!status.sandboxed) {
    assert.match(ro.text, /UNSANDBOXED/);
    return;
  }
  assert.match(ro.text, /refused made\.txt/, ro.text);
  assert.equal(existsSync(join(srv.root, 'made.txt')), false);
  assert.match(ro.text, /refused \/etc\/leanctx-exec-test/);
  assert.match(ro.text, new RegExp(`wrote ${tmpMark}`), 'the private /tmp is writable');
  assert.equal(existsSync(tmpMark), false, 'what was written to /tmp inside is not on the host');
  const rw = await execute({ language: 'shell', code, write: true });
  assert.match(rw.text, /wrote made\.txt/, rw.text);
  assert.equal(readFileSync(join(srv.root, 'made.txt'), 'utf8'), 'x\n');
  assert.match(rw.text, /workspace writable/);
});

test(`another workspace, the server's data dir and home are not visible (${where()})`, async () => {
  const config = JSON.parse(readFileSync(join(srv.dir, 'team.json'), 'utf8')) as {
    dataDir: string;
    workspaces: { id: string; root: string }[];
  };
  const otherRoot = config.workspaces.find((w) => w.id === 'other')?.root as string;
  assert.ok(existsSync(join(otherRoot, 'private.txt')));
  const code = [
    `cat ${join(otherRoot, 'private.txt')} 2>&1 || echo "no other workspace"`,
    `ls ${config.dataDir} 2>&1 || echo "no data dir"`,
    `ls ${process.env.HOME ?? '/root'} >/dev/null 2>&1 && echo "home visible" || echo "no home"`,
  ].join('\n');
  const r = await execute({ language: 'shell', code });
  if (!status.sandboxed) {
    assert.match(r.text, /UNSANDBOXED/);
    return;
  }
  assert.doesNotMatch(r.text, /other workspace secret/);
  assert.match(r.text, /no other workspace/);
  assert.match(r.text, /no data dir/);
  assert.match(r.text, /no home/);
});

test(`a fork bomb is contained and the server keeps answering (${where()})`, async (t) => {
  if (status.processCap === 'none') t.diagnostic(`process count not capped here: ${status.detail}`);
  const r = await execute({
    language: 'shell',
    code: 'bomb() { bomb | bomb & }; bomb; sleep 2; echo after',
    timeout: 4,
  });
  t.diagnostic(r.text.slice(-400));
  assert.match(r.text, /\[.*(exit|timed out|killed)/, 'the call returned with a status');
  const health = await fetch(`${srv.url}/health`);
  assert.equal(health.status, 200);
  const next = await execute({ language: 'javascript', code: 'console.log("still fine")' });
  assert.match(next.text, /^still fine$/m);
});

test('a memory hog is stopped by the data limit', async () => {
  const r = await execute({
    language: 'python',
    code: 'try:\n    x = bytearray(4 * 1024 ** 3)\n    print("allocated")\nexcept MemoryError:\n    print("memory refused")',
  });
  assert.match(r.text, /^memory refused$/m, r.text);
});

test('a busy loop is killed at its CPU-time limit, and the answer says so', async () => {
  const r = await execute({ language: 'javascript', code: 'for (;;) {}', timeout: 1 });
  assert.equal(r.isError, true);
  assert.match(r.text, /CPU-time limit of 1 s|timed out after 1 s/, r.text);
});

test(`the manifest says whether execution is sandboxed (${where()})`, async () => {
  const res = await fetch(`${srv.url}/v1/manifest`, {
    headers: { authorization: `Bearer ${srv.tokens.dev}` },
  });
  const body = (await res.json()) as { execution: { sandboxed: boolean; detail: string } };
  assert.equal(body.execution.sandboxed, status.sandboxed);
  assert.equal(body.execution.detail, status.detail);
});
