import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { openEventStream } from '../../helpers/event-stream.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

let srv: RunningTestServer;

const FILES: Record<string, string> = {
  'src/a.ts': 'export const a = 1;\n',
  'src/b.ts': 'export const b = 2;\n',
  'src/c.ts': 'export const c = 3;\n',
  'docs/notes.md': '# Notes\n\nkeep\n',
};
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

before(async () => {
  srv = await startTestServer({
    tokens: [
      { id: 'dev', scopes: ['search', 'sessionMutations', 'exec', 'events'] },
      { id: 'reader', scopes: ['search'] },
    ],
    workspace: { allowExec: true },
    files: FILES,
    extraWorkspaces: [{ id: 'other', files: { 'src/a.ts': FILES['src/a.ts']! } }],
  });
});
after(() => srv.close());

async function connect(as: string): Promise<Client> {
  const client = new Client({ name: 'proof-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${srv.tokens[as]}` } },
  });
  await client.connect(transport);
  return client;
}

const textOf = (result: unknown) =>
  (result as { content: { text?: string }[] }).content.map((c) => c.text ?? '').join('\n');

interface Proof {
  schema: string;
  contextId: string;
  workspaceId: string;
  agentId: string;
  server: { name: string; version: string };
  generatedAt: string;
  reads: { path: string; sha256: string; earlierSha256: string[]; tools: string[] }[];
  tools: { tool: string; calls: number }[];
  decisions: { text: string }[];
  digest: string;
}

test('over MCP: a proof exported, one file changed, ctx_verify names exactly that file', async () => {
  const client = await connect('dev');
  try {
    await client.callTool({ name: 'ctx_read', arguments: { path: 'src/a.ts', mode: 'full' } });
    await client.callTool({ name: 'ctx_multi_read', arguments: { paths: ['src/b.ts', 'src/c.ts'] } });
    await client.callTool({
      name: 'ctx_session',
      arguments: { action: 'decision', value: 'keep a.ts as is' },
    });
    const exported = await client.callTool({ name: 'ctx_proof', arguments: { format: 'json' } });
    assert.equal(exported.isError, undefined, textOf(exported));
    const proof = JSON.parse(textOf(exported)) as Proof;
    assert.equal(proof.schema, 'leanctx.context-proof.v1');
    assert.equal(proof.workspaceId, 'main');
    assert.equal(proof.agentId, 'dev');
    assert.equal(proof.contextId, (client.transport as StreamableHTTPClientTransport).sessionId);
    assert.equal(proof.server.name, 'leanctx');
    assert.ok(Date.parse(proof.generatedAt) > 0);
    assert.deepEqual(
      proof.reads.map((r) => [r.path, r.sha256]),
      ['src/a.ts', 'src/b.ts', 'src/c.ts'].map((p) => [p, sha(FILES[p]!)]),
    );
    assert.deepEqual(proof.reads.find((r) => r.path === 'src/b.ts')?.tools, ['ctx_multi_read']);
    assert.deepEqual(proof.tools.map((t) => t.tool).sort(), ['ctx_multi_read', 'ctx_read', 'ctx_session']);
    assert.deepEqual(
      proof.decisions.map((d) => d.text),
      ['keep a.ts as is'],
    );
    assert.match(proof.digest, /^sha256:[0-9a-f]{64}$/);

    writeFileSync(join(srv.root, 'src/b.ts'), 'export const b = 20;\n');
    const verified = await client.callTool({ name: 'ctx_verify', arguments: { proof: textOf(exported) } });
    const text = textOf(verified);
    assert.match(text, /3 files: 2 match, 1 changed, 0 missing; digest valid/);
    assert.deepEqual(
      text
        .split('\n')
        .filter((l) => l.startsWith('changed:') || l.startsWith('missing:'))
        .map((l) => l.split(' ')[1]),
      ['src/b.ts'],
    );
    const json = await client.callTool({ name: 'ctx_verify', arguments: { proof, format: 'json' } });
    const verdict = JSON.parse(textOf(json)) as { files: { path: string; state: string; actual?: string }[] };
    assert.deepEqual(
      verdict.files.filter((f) => f.state !== 'match'),
      [
        {
          path: 'src/b.ts',
          state: 'changed',
          expected: sha(FILES['src/b.ts']!),
          actual: sha('export const b = 20;\n'),
          bytes: 21,
        },
      ],
    );
  } finally {
    writeFileSync(join(srv.root, 'src/b.ts'), FILES['src/b.ts']!);
    await client.close();
  }
});

test('over REST: a deleted file is missing, an edited proof fails its digest, a re-read hash is the one checked', async () => {
  const ctx = 'rest-proof';
  await callToolText(srv, 'dev', 'ctx_read', { path: 'docs/notes.md', mode: 'full' }, ctx);
  writeFileSync(join(srv.root, 'docs/notes.md'), '# Notes\n\nchanged\n');
  await callToolText(srv, 'dev', 'ctx_read', { path: 'docs/notes.md', mode: 'full' }, ctx);
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/c.ts' }, ctx);
  const proof = JSON.parse(await callToolText(srv, 'dev', 'ctx_proof', { format: 'json' }, ctx)) as Proof;
  const notes = proof.reads.find((r) => r.path === 'docs/notes.md');
  assert.equal(notes?.sha256, sha('# Notes\n\nchanged\n'));
  assert.deepEqual(notes?.earlierSha256, [sha(FILES['docs/notes.md']!)]);

  const now = await callToolText(srv, 'dev', 'ctx_verify', { proof: JSON.stringify(proof) });
  assert.match(now, /2 files: 2 match, 0 changed, 0 missing; digest valid/);

  rmSync(join(srv.root, 'src/c.ts'));
  try {
    const gone = await callToolText(srv, 'dev', 'ctx_verify', { proof });
    assert.match(gone, /missing: src\/c\.ts \(no such file\)/);
    assert.doesNotMatch(gone, /changed:/);
    const forged = {
      ...proof,
      decisions: [{ text: 'never taken', agent: 'x', ts: proof.generatedAt, revision: 1 }],
    };
    const edited = await callToolText(srv, 'dev', 'ctx_verify', { proof: forged });
    assert.match(edited, /digest INVALID/);
  } finally {
    writeFileSync(join(srv.root, 'src/c.ts'), FILES['src/c.ts']!);
  }
});

test('write=true saves the proof in .lean-ctx/proofs and ctx_verify reads it back by path', async () => {
  const ctx = 'written';
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/a.ts', mode: 'full' }, ctx);
  const out = await callToolText(
    srv,
    'dev',
    'ctx_proof',
    { write: true, filename: 'p1.json', format: 'summary' },
    ctx,
  );
  assert.match(out, /1 files read.*written to \.lean-ctx\/proofs\/p1\.json/s);
  const saved = JSON.parse(readFileSync(join(srv.root, '.lean-ctx/proofs/p1.json'), 'utf8')) as Proof;
  assert.equal(saved.contextId, ctx);
  const verified = await callToolText(srv, 'dev', 'ctx_verify', { path: '.lean-ctx/proofs/p1.json' });
  assert.match(verified, /1 files: 1 match/);
});

test('writing a proof needs the exec scope; a token without it still gets the JSON', async () => {
  await callToolText(srv, 'reader', 'ctx_read', { path: 'src/a.ts' }, 'reader-ctx');
  const refused = await callTool(srv, 'reader', {
    name: 'ctx_proof',
    arguments: { write: true },
    contextId: 'reader-ctx',
  });
  assert.equal(refused.status, 403);
  assert.equal(((await refused.json()) as { error_code: string }).error_code, 'scope_denied');
  const json = JSON.parse(
    await callToolText(srv, 'reader', 'ctx_proof', { format: 'json' }, 'reader-ctx'),
  ) as Proof;
  assert.deepEqual(
    json.reads.map((r) => r.path),
    ['src/a.ts'],
  );
});

test("a proof covers the caller's own reads only: the same context id of another token is empty", async () => {
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/a.ts' }, 'shared-id');
  const other = JSON.parse(
    await callToolText(srv, 'reader', 'ctx_proof', { format: 'json' }, 'shared-id'),
  ) as Proof;
  assert.deepEqual(other.reads, []);
});

test('bad input names what is wrong: no context, not JSON, not a proof, a path outside the workspace', async () => {
  const noCtx = await callTool(srv, 'dev', { name: 'ctx_proof', arguments: {} });
  assert.match(JSON.stringify(await noCtx.json()), /no context: pass context_id/);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ proof: 'not json' }, /proof is not JSON/],
    [{ proof: { schema: 'x' } }, /not a ContextProofV1: schema/],
    [{}, /needs proof .* or path/],
    [{ path: '../outside.json' }, /outside the workspace root/],
  ];
  for (const [args, expected] of cases) {
    const res = await callTool(srv, 'dev', { name: 'ctx_verify', arguments: args });
    const body = (await res.json()) as { result: { content: { text: string }[]; isError?: boolean } };
    assert.equal(body.result.isError, true, JSON.stringify(args));
    assert.match(body.result.content[0]!.text, expected);
  }
});

test('a proof entry whose path is now a symlink out of the workspace is reported missing, not read', async () => {
  const ctx = 'symlink';
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/c.ts' }, ctx);
  const proof = await callToolText(srv, 'dev', 'ctx_proof', { format: 'json' }, ctx);
  rmSync(join(srv.root, 'src/c.ts'));
  symlinkSync('/etc/hostname', join(srv.root, 'src/c.ts'));
  try {
    const out = await callToolText(srv, 'dev', 'ctx_verify', { proof });
    assert.match(out, /missing: src\/c\.ts \(path refused/);
  } finally {
    rmSync(join(srv.root, 'src/c.ts'));
    writeFileSync(join(srv.root, 'src/c.ts'), FILES['src/c.ts']!);
  }
});

test('an export is announced on the channel as proof_added with its digest, never its content', async () => {
  const stream = await openEventStream(srv.url, srv.tokens.dev as string);
  try {
    await callToolText(srv, 'dev', 'ctx_read', { path: 'src/a.ts' }, 'announced');
    const proof = JSON.parse(
      await callToolText(srv, 'dev', 'ctx_proof', { format: 'json' }, 'announced'),
    ) as Proof;
    const event = await stream.waitFor(
      (e) => e.kind === 'proof_added' && e.data.payload.contextId === 'announced',
    );
    assert.deepEqual(event.data.payload, {
      contextId: 'announced',
      reads: 1,
      digest: proof.digest,
      redacted: true,
    });
  } finally {
    await stream.close();
  }
});

test('a proof checked in another workspace says so, and the files are checked there', async () => {
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/a.ts' }, 'cross');
  await callToolText(srv, 'dev', 'ctx_read', { path: 'src/b.ts' }, 'cross');
  const proof = await callToolText(srv, 'dev', 'ctx_proof', { format: 'json' }, 'cross');
  const res = await callTool(srv, 'dev', { name: 'ctx_verify', arguments: { proof }, workspaceId: 'other' });
  const text = ((await res.json()) as { result: { content: { text: string }[] } }).result.content[0]!.text;
  assert.match(text, /note: the proof was made for workspace "main" and was checked against "other"/);
  assert.match(text, /2 files: 1 match, 0 changed, 1 missing/);
  assert.match(text, /missing: src\/b\.ts \(no such file\)/);
});

test('a large file is hashed streaming: a change in its last byte is found', async () => {
  const big = `${'// line\n'.repeat(60_000)}end\n`;
  writeFileSync(join(srv.root, 'src/big.ts'), big);
  try {
    await callToolText(srv, 'dev', 'ctx_read', { path: 'src/big.ts', mode: 'lines:1-2' }, 'big');
    const proof = await callToolText(srv, 'dev', 'ctx_proof', { format: 'json' }, 'big');
    assert.match(await callToolText(srv, 'dev', 'ctx_verify', { proof }), /1 files: 1 match/);
    writeFileSync(join(srv.root, 'src/big.ts'), `${big.slice(0, -2)}X\n`);
    assert.match(await callToolText(srv, 'dev', 'ctx_verify', { proof }), /changed: src\/big\.ts/);
  } finally {
    rmSync(join(srv.root, 'src/big.ts'));
  }
});
