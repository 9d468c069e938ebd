import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { protectedSpansOf } from '../../../src/engine/text/protected-spans.ts';
import { countTokens } from '../../../src/engine/tokens.ts';
import {
  callTool,
  callToolText,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

let srv: RunningTestServer;

const MEMORY = [
  '# Project rules',
  '',
  'Please make sure to run `npm test` before every commit. It is important to note that the suite needs Node 20.',
  'Please make sure to run `npm test` before every commit. It is important to note that the suite needs Node 20.',
  '',
  '| command | what |',
  '|---------|------|',
  '| npm run check | please basically everything |',
  '',
  '```sh',
  'npm run bench -- observatory  # please keep',
  '```',
  '',
  'You should always read https://example.com/docs/style before editing src/engine/jail.ts.',
  '',
].join('\n');

before(async () => {
  srv = await startTestServer({
    tokens: [
      { id: 'dev', scopes: ['search', 'exec'] },
      { id: 'reader', scopes: ['search'] },
    ],
    workspace: { allowExec: true },
    files: {
      'CLAUDE.md': MEMORY,
      'AGENTS.md': MEMORY,
      '.cursorrules': MEMORY,
      'src/a.ts': 'export const a = 1;\n',
    },
    extraWorkspaces: [{ id: 'locked', files: { 'CLAUDE.md': MEMORY } }],
  });
});
after(() => srv.close());

async function connect(as: string): Promise<Client> {
  const client = new Client({ name: 'text-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${srv.tokens[as]}` } },
    }),
  );
  return client;
}

const textOf = (result: unknown) =>
  (result as { content: { text?: string }[] }).content.map((c) => c.text ?? '').join('\n');

const ANSWER = [
  'Great question! I would be happy to help with that.',
  '',
  'Basically, the cache in src/engine/read/cache.ts is keyed by `contextScope(agentId, contextId)`, and it keeps up to 256 contexts.',
  '',
  '```ts',
  'const scope = contextScope(ctx.agentId, ctx.contextId); // Sure!',
  '```',
  '',
  'See https://modelcontextprotocol.io/specification for the session id.',
  '',
  'I hope this helps! Let me know if you have any other questions.',
].join('\n');

test('over MCP: ctx_response strips filler, keeps every span, and its token figures count the answer it returned', async () => {
  const client = await connect('reader');
  try {
    const result = await client.callTool({ name: 'ctx_response', arguments: { text: ANSWER } });
    const text = textOf(result);
    const footer = /\[ctx_response: (\d+) → (\d+) tok o200k, (\d+) saved; (\d+) sentences dropped/.exec(text);
    assert.ok(footer, text);
    const [, before, sent, saved, dropped] = footer.map(Number);
    assert.equal(before, countTokens(ANSWER));
    assert.equal(sent, countTokens(text));
    assert.equal(saved, before! - sent!);
    assert.equal(dropped, 4);
    assert.doesNotMatch(text, /Great question|hope this helps|Basically/);
    for (const span of protectedSpansOf(ANSWER)) assert.ok(text.includes(span), `lost ${span}`);
    assert.ok(text.includes('```ts\nconst scope = contextScope(ctx.agentId, ctx.contextId); // Sure!\n```'));
  } finally {
    await client.close();
  }
});

test('over REST: a long text is stripped (on a worker) keeping its spans, and one past the limit is refused naming it', async () => {
  const long = Array.from({ length: 200 }, (_, i) => `${ANSWER.replaceAll('256', String(i))}\n`).join('\n');
  assert.ok(long.length > 64 * 1024);
  const out = await callToolText(srv, 'reader', 'ctx_response', { text: long });
  for (let i = 0; i < 200; i += 37) assert.ok(out.includes(`keeps up to ${i} contexts`));
  assert.doesNotMatch(out, /Great question/);

  const res = await callTool(srv, 'reader', {
    name: 'ctx_response',
    arguments: { text: 'x'.repeat(256 * 1024 + 1) },
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error_code: string; error: string };
  assert.equal(body.error_code, 'invalid_arguments');
  assert.match(body.error, /at most 262144 characters; split it/);
});

test('ctx_compress_memory rewrites CLAUDE.md keeping code, URLs, paths, headings and tables, with the original beside it', async () => {
  const out = await callToolText(srv, 'dev', 'ctx_compress_memory', { path: 'CLAUDE.md' });
  assert.match(out, /CLAUDE\.md: (\d+) → (\d+) tok o200k .*\noriginal saved as CLAUDE\.original\.md/s);
  assert.equal(readFileSync(join(srv.root, 'CLAUDE.original.md'), 'utf8'), MEMORY);
  const now = readFileSync(join(srv.root, 'CLAUDE.md'), 'utf8');
  assert.equal(
    now,
    [
      '# Project rules',
      '',
      'Run `npm test` before every commit. The suite needs Node 20.',
      '',
      '| command | what |',
      '|---------|------|',
      '| npm run check | please basically everything |',
      '',
      '```sh',
      'npm run bench -- observatory  # please keep',
      '```',
      '',
      'Always read https://example.com/docs/style before editing src/engine/jail.ts.',
      '',
    ].join('\n'),
  );
  const again = await callToolText(srv, 'dev', 'ctx_compress_memory', { path: 'CLAUDE.md' });
  assert.match(again, /nothing to compress/);
});

test('an existing backup is kept and the answer says so, unless overwrite_backup is given', async () => {
  writeFileSync(join(srv.root, 'AGENTS.original.md'), 'the first original\n');
  const kept = await callToolText(srv, 'dev', 'ctx_compress_memory', { path: 'AGENTS.md' });
  assert.match(kept, /AGENTS\.original\.md already existed and was kept .*overwrite_backup=true replaces it/);
  assert.equal(readFileSync(join(srv.root, 'AGENTS.original.md'), 'utf8'), 'the first original\n');
  writeFileSync(join(srv.root, 'AGENTS.md'), MEMORY);
  const replaced = await callToolText(srv, 'dev', 'ctx_compress_memory', {
    path: 'AGENTS.md',
    overwrite_backup: true,
  });
  assert.match(replaced, /original saved as AGENTS\.original\.md/);
  assert.equal(readFileSync(join(srv.root, 'AGENTS.original.md'), 'utf8'), MEMORY);
});

test('.cursorrules gets .cursorrules.original.md', async () => {
  await callToolText(srv, 'dev', 'ctx_compress_memory', { path: '.cursorrules' });
  assert.equal(readFileSync(join(srv.root, '.cursorrules.original.md'), 'utf8'), MEMORY);
});

test('ctx_compress_memory is refused without exec, on a workspace without allowExec, outside the jail and for non-memory files', async () => {
  const noScope = await callTool(srv, 'reader', {
    name: 'ctx_compress_memory',
    arguments: { path: 'CLAUDE.md' },
  });
  assert.equal(noScope.status, 403);
  assert.equal(((await noScope.json()) as { error_code: string }).error_code, 'scope_denied');

  const locked = await callTool(srv, 'dev', {
    name: 'ctx_compress_memory',
    arguments: { path: 'CLAUDE.md' },
    workspaceId: 'locked',
  });
  assert.equal(locked.status, 403);
  assert.match(((await locked.json()) as { error: string }).error, /does not set allowExec: true/);

  const outside = join(tmpdir(), `leanctx-outside-${process.pid}.md`);
  writeFileSync(outside, MEMORY);
  symlinkSync(outside, join(srv.root, 'LINKED.md'));
  const cases: [string, RegExp][] = [
    ['LINKED.md', /outside the workspace root|path refused/],
    ['../CLAUDE.md', /outside the workspace root/],
    ['src/a.ts', /not a memory file/],
    ['CLAUDE.original.md', /not a memory file/],
    ['NOPE.md', /does not exist/],
  ];
  for (const [path, expected] of cases) {
    const res = await callTool(srv, 'dev', { name: 'ctx_compress_memory', arguments: { path } });
    const body = (await res.json()) as { result: { content: { text: string }[]; isError?: boolean } };
    assert.equal(body.result.isError, true, path);
    assert.match(body.result.content[0]!.text, expected, path);
  }
  assert.equal(readFileSync(outside, 'utf8'), MEMORY);
  assert.equal(existsSync(`${outside.slice(0, -3)}.original.md`), false);
});
