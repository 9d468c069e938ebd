import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { artifactsOf } from '../../../src/engine/artifacts/artifact-registry.ts';
import { createWorkspace } from '../../../src/engine/workspace.ts';
import {
  callTool,
  callToolText,
  makeTree,
  type RunningTestServer,
  startTestServer,
} from '../../helpers/team-server.ts';

let srv: RunningTestServer;

const DOCS: Record<string, string> = {
  'docs/deploy.md': [
    '# Deploying',
    '',
    'Intro text about environments.',
    '',
    '## Docker',
    '',
    'Build the image with `docker build -t leanctx .` and run it behind a reverse proxy.',
    '',
    '## Kubernetes',
    '',
    'Use the Helm chart; set replicas and the PostgreSQL connection string.',
    '',
  ].join('\n'),
  'docs/adr/0001-storage.md': [
    '# ADR 1: storage',
    '',
    'We keep events in SQLite by default and PostgreSQL for scale-out.',
    '',
    '```md',
    '# not a heading: docker docker docker',
    '```',
  ].join('\n'),
  'docs/notes.txt': 'Plain notes.\nThe rate limiter is a token bucket per token.\n',
  'src/index.ts': 'export const docker = 1;\n',
};

before(async () => {
  srv = await startTestServer({
    tokens: [
      { id: 'lead', scopes: ['search', 'artifacts', 'index'] },
      { id: 'viewer', scopes: ['search', 'artifacts'] },
      { id: 'plain', scopes: ['search'] },
    ],
    files: DOCS,
  });
});
after(() => srv.close());

interface Hit {
  path: string;
  section: string;
  startLine: number;
  endLine: number;
  preview: string;
}

async function search(query: string, as = 'viewer'): Promise<{ hits: Hit[]; stale: number }> {
  return JSON.parse(
    await callToolText(srv, as, 'ctx_artifacts', { action: 'search', query, format: 'json' }),
  ) as { hits: Hit[]; stale: number };
}

test('index registers the documents under a directory (not code), and search finds the section by heading and body', async () => {
  const out = await callToolText(srv, 'lead', 'ctx_artifacts', { action: 'index', path: 'docs' });
  assert.match(out, /^index: 3 added, 0 updated, 0 unchanged, 0 removed \(missing\), 0 skipped/);
  const { hits } = await search('docker image');
  assert.equal(hits[0]?.path, 'docs/deploy.md');
  assert.equal(hits[0]?.section, 'Deploying > Docker');
  assert.deepEqual([hits[0]?.startLine, hits[0]?.endLine], [5, 8]);
  assert.match(hits[0]!.preview, /docker build -t leanctx/);
  // a heading inside a code fence is body text, not a section
  assert.equal(hits.find((h) => h.path === 'docs/adr/0001-storage.md')?.section, 'ADR 1: storage');
  assert.equal(
    hits.some((h) => h.path === 'src/index.ts'),
    false,
  );
  const text = await callToolText(srv, 'viewer', 'ctx_artifacts', {
    action: 'search',
    query: 'token bucket',
  });
  assert.match(text, /^1 sections for "token bucket":\ndocs\/notes\.txt:1-3 \[\(top\)\]/);
});

test('over MCP: list and status show what is registered', async () => {
  const client = new Client({ name: 'artifacts-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${srv.tokens.viewer}` } },
    }),
  );
  try {
    const list = await client.callTool({
      name: 'ctx_artifacts',
      arguments: { action: 'list', format: 'json' },
    });
    const items = (
      JSON.parse((list.content as { text: string }[])[0]!.text) as {
        artifacts: { path: string; state: string }[];
      }
    ).artifacts;
    assert.deepEqual(
      items.map((a) => [a.path, a.state]),
      [
        ['docs/adr/0001-storage.md', 'fresh'],
        ['docs/deploy.md', 'fresh'],
        ['docs/notes.txt', 'fresh'],
      ],
    );
    const status = await client.callTool({ name: 'ctx_artifacts', arguments: { action: 'status' } });
    assert.match(
      (status.content as { text: string }[])[0]!.text,
      /^3 artifacts, \d+ chunks, \d+ bytes; 3 fresh, 0 changed, 0 missing$/,
    );
  } finally {
    await client.close();
  }
});

test('reindex picks up a changed document and unregisters a deleted one; search then reflects both', async () => {
  writeFileSync(
    join(srv.root, 'docs/notes.txt'),
    'Plain notes.\nThe rate limiter is a sliding window now.\n',
  );
  const status = await callToolText(srv, 'viewer', 'ctx_artifacts', { action: 'status' });
  assert.match(status, /2 fresh, 1 changed, 0 missing/);
  assert.equal((await search('token bucket')).stale, 1);
  rmSync(join(srv.root, 'docs/adr/0001-storage.md'));
  const out = await callToolText(srv, 'lead', 'ctx_artifacts', { action: 'reindex' });
  assert.match(out, /^reindex: 0 added, 1 updated, 1 unchanged, 1 removed \(missing\), 0 skipped/);
  assert.match(out, /- docs\/adr\/0001-storage\.md \(gone from disk\)/);
  assert.deepEqual((await search('token bucket')).hits, []);
  assert.equal((await search('sliding window')).hits[0]?.path, 'docs/notes.txt');
  writeFileSync(join(srv.root, 'docs/adr/0001-storage.md'), DOCS['docs/adr/0001-storage.md']!);
});

test('a named document can be removed by its name', async () => {
  await callToolText(srv, 'lead', 'ctx_artifacts', {
    action: 'index',
    path: 'docs/adr/0001-storage.md',
    name: 'storage-adr',
  });
  assert.equal((await search('postgresql scale')).hits[0]?.path, 'docs/adr/0001-storage.md');
  const out = await callToolText(srv, 'lead', 'ctx_artifacts', { action: 'remove', name: 'storage-adr' });
  assert.equal(out, 'removed docs/adr/0001-storage.md');
  assert.equal(
    (await search('postgresql scale')).hits.some((h) => h.path === 'docs/adr/0001-storage.md'),
    false,
  );
});

test('scopes: search needs artifacts, index needs artifacts and index', async () => {
  const plain = await callTool(srv, 'plain', {
    name: 'ctx_artifacts',
    arguments: { action: 'search', query: 'x' },
  });
  assert.equal(plain.status, 403);
  const viewer = await callTool(srv, 'viewer', {
    name: 'ctx_artifacts',
    arguments: { action: 'index', path: 'docs' },
  });
  assert.equal(viewer.status, 403);
  assert.match(((await viewer.json()) as { error: string }).error, /lacks scope "index"/);
});

test('limits and bad input are named: too large, outside the jail, a symlink out, no query, unknown name', async () => {
  writeFileSync(join(srv.root, 'docs/huge.md'), `# Huge\n${'word '.repeat(450_000)}\n`);
  const outside = mkdtempSync(join(tmpdir(), 'leanctx-outside-'));
  writeFileSync(join(outside, 'secret.md'), '# outside\n');
  symlinkSync(join(outside, 'secret.md'), join(srv.root, 'docs/link.md'));
  try {
    const big = await callToolText(srv, 'lead', 'ctx_artifacts', { action: 'index', path: 'docs/huge.md' });
    assert.match(big, /! docs\/huge\.md: \d+ bytes, over the 2097152-byte limit/);
    const walked = await callToolText(srv, 'lead', 'ctx_artifacts', { action: 'index', path: 'docs' });
    assert.doesNotMatch(walked, /link\.md/);
    assert.equal((await search('outside')).hits.length, 0);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ action: 'index', path: '../etc' }, /outside the workspace root/],
      [{ action: 'index', path: 'docs/link.md' }, /path refused/],
      [{ action: 'search' }, /needs query/],
      [{ action: 'remove', name: 'nope' }, /no artifact has path or name "nope"/],
    ];
    for (const [args, expected] of cases) {
      const res = await callTool(srv, 'lead', { name: 'ctx_artifacts', arguments: args });
      const body = (await res.json()) as { result: { content: { text: string }[]; isError?: boolean } };
      assert.equal(body.result.isError, true, JSON.stringify(args));
      assert.match(body.result.content[0]!.text, expected);
    }
    const long = await callTool(srv, 'lead', {
      name: 'ctx_artifacts',
      arguments: { action: 'search', query: 'q'.repeat(2001) },
    });
    assert.equal(long.status, 400);
  } finally {
    rmSync(join(srv.root, 'docs/huge.md'));
    rmSync(join(srv.root, 'docs/link.md'));
    rmSync(outside, { recursive: true });
  }
});

test('the registry is kept in the workspace data dir and survives a restart', async () => {
  const root = makeTree({ 'README.md': '# Readme\n\nThe quick brown fox.\n' });
  const dataDir = mkdtempSync(join(tmpdir(), 'leanctx-data-'));
  const first = createWorkspace({ id: 'w', root, dataDir });
  const signal = new AbortController().signal;
  await artifactsOf(first).index('README.md', { signal });
  await first.close();
  const second = createWorkspace({ id: 'w', root, dataDir });
  try {
    const { hits } = await artifactsOf(second).search('brown fox', 5, signal);
    assert.deepEqual(
      hits.map((h) => [h.path, h.section]),
      [['README.md', 'Readme']],
    );
  } finally {
    await second.close();
  }
});

test('a directory holding more documents than the registry may keep is refused, naming the count', async () => {
  const many = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`many/n${i}.md`, `# N${i}\n`]));
  const root = makeTree(many);
  const dataDir = mkdtempSync(join(tmpdir(), 'leanctx-data-'));
  const ws = createWorkspace({ id: 'many', root, dataDir });
  try {
    await assert.rejects(
      artifactsOf(ws).index('many', { signal: new AbortController().signal }),
      /1001 documents under "many"; at most 1000 may be registered: index a narrower directory/,
    );
    assert.deepEqual(await artifactsOf(ws).list(), []);
  } finally {
    await ws.close();
    rmSync(root, { recursive: true });
  }
});
