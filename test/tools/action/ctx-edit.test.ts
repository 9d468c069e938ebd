import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openEventStream } from '../../helpers/event-stream.ts';
import {
  callTool,
  callToolText,
  makeTree,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

let srv: RunningTestServer;

before(async () => {
  srv = await startTestServer({
    tokens: [
      { id: 'dev', scopes: ['search', 'exec', 'events'] },
      { id: 'reader', scopes: ['search'] },
    ],
    workspace: { allowExec: true },
    files: {
      'src/a.ts': 'export const a = 1;\nexport const b = 2;\n',
      'src/twice.ts': 'x();\nx();\n',
      'src/tool.sh': '#!/bin/sh\necho old\n',
    },
  });
});
after(() => srv.close());

async function edit(args: Record<string, unknown>, contextId?: string, as = 'dev') {
  const res = await callTool(srv, as, {
    name: 'ctx_edit',
    arguments: args,
    ...(contextId ? { contextId } : {}),
  });
  const body = (await res.json()) as {
    result?: { content: { text: string }[]; isError?: boolean };
    error_code?: string;
  };
  return {
    status: res.status,
    text: body.result?.content[0]?.text ?? '',
    isError: body.result?.isError === true,
    code: body.error_code,
  };
}

test('a unique old_string is replaced in place, the file mode is kept and no temp file is left behind', async () => {
  chmodSync(join(srv.root, 'src/tool.sh'), 0o751);
  const out = await edit({ path: 'src/tool.sh', old_string: 'echo old', new_string: 'echo new' });
  assert.equal(out.isError, false, out.text);
  assert.equal(readFileSync(join(srv.root, 'src/tool.sh'), 'utf8'), '#!/bin/sh\necho new\n');
  assert.equal(statSync(join(srv.root, 'src/tool.sh')).mode & 0o777, 0o751);
  assert.deepEqual(
    readdirSync(join(srv.root, 'src')).filter((f) => f.includes('leanctx')),
    [],
  );
});

test('an old_string found twice is refused with its lines unless replace_all is given', async () => {
  const refused = await edit({ path: 'src/twice.ts', old_string: 'x();', new_string: 'y();' });
  assert.equal(refused.isError, true);
  assert.match(refused.text, /occurs 2 times .*lines 1, 2.*replace_all/);
  const all = await edit({ path: 'src/twice.ts', old_string: 'x();', new_string: 'y();', replace_all: true });
  assert.match(all.text, /2 replacements/);
  assert.equal(readFileSync(join(srv.root, 'src/twice.ts'), 'utf8'), 'y();\ny();\n');
});

test('create makes a new file in a new directory and refuses to overwrite one', async () => {
  const made = await edit({ path: 'lib/new/file.ts', create: true, new_string: 'export {};\n' });
  assert.equal(made.isError, false, made.text);
  assert.equal(readFileSync(join(srv.root, 'lib/new/file.ts'), 'utf8'), 'export {};\n');
  const again = await edit({ path: 'lib/new/file.ts', create: true, new_string: 'x' });
  assert.match(again.text, /already exists/);
});

test('a file changed by someone else since this context read it is refused with the changed lines shown', async () => {
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/a.ts', mode: 'full' }, 'ctx-stale');
  writeFileSync(join(srv.root, 'src/a.ts'), 'export const a = 1;\nexport const b = 3;\n');
  const out = await edit(
    { path: 'src/a.ts', old_string: 'const a = 1', new_string: 'const a = 10' },
    'ctx-stale',
  );
  assert.equal(out.isError, true);
  assert.match(out.text, /changed since this context last read it/);
  assert.match(out.text, /\+2: export const b = 3;/);
  assert.equal(
    readFileSync(join(srv.root, 'src/a.ts'), 'utf8'),
    'export const a = 1;\nexport const b = 3;\n',
  );
});

test('after an edit the next read in the same context is a stub, and a later outside change reads as a diff', async () => {
  writeFileSync(join(srv.root, 'src/c.ts'), 'one\ntwo\nthree\n');
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/c.ts', mode: 'full' }, 'ctx-diff');
  const out = await edit({ path: 'src/c.ts', old_string: 'two', new_string: 'TWO' }, 'ctx-diff');
  assert.equal(out.isError, false, out.text);
  const stub = await callToolText(srv, 'dev', 'ctx_read', { path: 'src/c.ts', mode: 'full' }, 'ctx-diff');
  assert.match(stub, /unchanged/i);
  writeFileSync(join(srv.root, 'src/c.ts'), 'one\nTWO\nthree\nfour\n');
  const diff = await callToolText(srv, 'dev', 'ctx_read', { path: 'src/c.ts', mode: 'diff' }, 'ctx-diff');
  assert.match(diff, /\+1 -0/);
  assert.match(diff, /\+4: four/);
  assert.doesNotMatch(diff, /TWO/);
});

test('paths outside the workspace, through a symlink or with .., are refused and nothing is written', async () => {
  const outside = makeTree({ 'victim.txt': 'safe\n' });
  symlinkSync(outside, join(srv.root, 'escape'));
  for (const path of ['escape/victim.txt', '../victim.txt', join(outside, 'victim.txt')]) {
    const out = await edit({ path, old_string: 'safe', new_string: 'owned' });
    assert.equal(out.isError, true, path);
    assert.match(out.text, /outside the workspace/);
  }
  assert.equal(readFileSync(join(outside, 'victim.txt'), 'utf8'), 'safe\n');
});

test('a token without the exec scope, or a workspace without allowExec, is refused with scope_denied', async () => {
  const noScope = await edit({ path: 'src/a.ts', old_string: 'a', new_string: 'b' }, undefined, 'reader');
  assert.equal(noScope.status, 403);
  assert.equal(noScope.code, 'scope_denied');
  const closed = await startTestServer({ tokens: [{ id: 'dev', scopes: ['search', 'exec'] }] });
  try {
    const res = await callTool(closed, 'dev', {
      name: 'ctx_edit',
      arguments: { path: 'README.md', old_string: 'S', new_string: 'T' },
    });
    const body = (await res.json()) as { error_code: string; message?: string; error?: string };
    assert.equal(res.status, 403);
    assert.equal(body.error_code, 'scope_denied');
    assert.match(JSON.stringify(body), /allowExec: true/);
  } finally {
    await closed.close();
  }
});

test('every edit is audited and emits file_edited on the channel', async () => {
  const stream = await openEventStream(srv.url, srv.tokens.dev as string);
  try {
    await edit({ path: 'src/a.ts', old_string: 'const b = 3', new_string: 'const b = 4' });
    const event = await stream.waitFor((e) => e.kind === 'file_edited' && e.data.payload.path === 'src/a.ts');
    assert.deepEqual(event.data.payload, {
      path: 'src/a.ts',
      created: false,
      replacements: 1,
      redacted: true,
    });
  } finally {
    await stream.close();
  }
  const audit = readFileSync(srv.auditPath, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { tool: string; allowed: boolean });
  assert.ok(audit.some((e) => e.tool === 'ctx_edit' && e.allowed));
});
