import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { parseRemote } from '../../../src/tools/provider/ctx-provider.ts';
import { callTool, type RunningTestServer, startTestServer } from '../../helpers/team-server.ts';

/** A small server that answers like GitLab's REST API v4: PRIVATE-TOKEN, pagination headers, 401. */
const TOKEN = 'glpat-test-123';
const ISSUES = Array.from({ length: 45 }, (_, i) => ({
  iid: i + 1,
  title: `Issue number ${i + 1}`,
  state: i % 5 === 0 ? 'closed' : 'opened',
  labels: i % 2 ? ['bug'] : [],
  author: { username: 'ada' },
  assignees: i % 3 ? [] : [{ username: 'bob' }],
  updated_at: '2026-11-30T10:00:00Z',
  created_at: '2026-11-01T10:00:00Z',
  web_url: `http://gitlab.test/group/proj/-/issues/${i + 1}`,
  description: i === 6 ? 'x'.repeat(5000) : `Steps for ${i + 1}`,
}));
const seen: string[] = [];
let gitlab: Server;
let srv: RunningTestServer;

function answer(req: IncomingMessage): { status: number; body: unknown; headers?: Record<string, string> } {
  if (req.headers['private-token'] !== TOKEN) return { status: 401, body: { message: '401 Unauthorized' } };
  const url = new URL(req.url ?? '/', 'http://x');
  seen.push(`${url.pathname}${url.search}`);
  const prefix = `/api/v4/projects/${encodeURIComponent('group/proj')}`;
  if (!url.pathname.startsWith(prefix)) return { status: 404, body: { message: '404 Project Not Found' } };
  const rest = url.pathname.slice(prefix.length);
  // this instance caps per_page at 20, as an admin may: the client must follow x-next-page
  const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 20), 20);
  const page = Number(url.searchParams.get('page') ?? 1);
  const paged = (all: unknown[]) => {
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const next = page * perPage < all.length ? String(page + 1) : '';
    return { status: 200, body: slice, headers: { 'x-next-page': next, 'x-total': String(all.length) } };
  };
  if (rest === '/issues') {
    const state = url.searchParams.get('state');
    return paged(ISSUES.filter((i) => state === 'all' || i.state === state));
  }
  const one = /^\/issues\/(\d+)$/.exec(rest);
  if (one) {
    const found = ISSUES.find((i) => i.iid === Number(one[1]));
    return found ? { status: 200, body: found } : { status: 404, body: { message: '404 Not found' } };
  }
  if (rest === '/merge_requests') {
    return paged([
      {
        iid: 7,
        title: 'Faster index',
        state: 'opened',
        draft: true,
        source_branch: 'fast',
        target_branch: 'main',
        author: { username: 'ada' },
        detailed_merge_status: 'mergeable',
        updated_at: '2026-11-29T00:00:00Z',
        labels: [],
      },
    ]);
  }
  if (rest === '/pipelines') {
    const all = [
      {
        id: 901,
        status: 'failed',
        ref: 'main',
        sha: 'abcdef0123456789',
        source: 'push',
        created_at: '2026-11-30T09:15:00Z',
      },
      {
        id: 900,
        status: 'success',
        ref: 'main',
        sha: '0123456789abcdef',
        source: 'push',
        created_at: '2026-11-29T09:15:00Z',
      },
    ];
    const status = url.searchParams.get('status');
    return paged(all.filter((p) => !status || p.status === status));
  }
  return { status: 404, body: { message: '404 Not found' } };
}

async function provider(args: Record<string, unknown>, target = srv) {
  const res = await callTool(target, 'dev', { name: 'ctx_provider', arguments: args });
  const body = (await res.json()) as {
    result?: { content: { text: string }[]; isError?: boolean };
    error?: string;
  };
  return {
    status: res.status,
    text: body.result?.content.map((c) => c.text).join('\n') ?? body.error ?? '',
    isError: body.result?.isError === true,
  };
}

before(async () => {
  gitlab = createServer((req, res) => {
    const a = answer(req);
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(a.body));
  }).listen(0, '127.0.0.1');
  await new Promise((r) => gitlab.once('listening', r));
  process.env.LEANCTX_TEST_GITLAB = TOKEN;
  srv = await startTestServer({
    tokens: [{ id: 'dev', scopes: ['search'] }],
    config: {
      providers: {
        gitlab: {
          url: `http://127.0.0.1:${(gitlab.address() as AddressInfo).port}`,
          token: '${LEANCTX_TEST_GITLAB}',
        },
      },
    },
  });
  execFileSync('git', ['init', '-q'], { cwd: srv.root });
  execFileSync('git', ['remote', 'add', 'origin', 'git@gitlab.test:group/proj.git'], { cwd: srv.root });
});

after(async () => {
  delete process.env.LEANCTX_TEST_GITLAB;
  gitlab.close();
  await srv?.close();
});

test('the project comes from the git remote in every form git writes it', () => {
  assert.deepEqual(parseRemote('git@gitlab.test:group/proj.git'), {
    host: 'gitlab.test',
    path: 'group/proj',
  });
  assert.deepEqual(parseRemote('https://gitlab.example.com/a/b/c.git'), {
    host: 'gitlab.example.com',
    path: 'a/b/c',
  });
  assert.deepEqual(parseRemote('ssh://git@gitlab.example.com:2222/a/b'), {
    host: 'gitlab.example.com:2222',
    path: 'a/b',
  });
  assert.equal(parseRemote('not a url'), undefined);
});

test('issues follow x-next-page past an instance per_page cap, up to the limit', async () => {
  seen.length = 0;
  const r = await provider({ action: 'gitlab_issues', limit: 30 });
  assert.equal(r.isError, false, r.text);
  const lines = r.text.split('\n');
  assert.equal(lines[0], 'GitLab group/proj · 30 opened issues of 36:');
  assert.equal(lines.length, 31);
  assert.match(lines[1] ?? '', /^#2 \[opened\] Issue number 2 {2}\{bug\} {2}@ada · updated 2026-11-30$/);
  assert.match(r.text, /^#4 \[opened\] Issue number 4 {2}\{bug\} {2}@ada → @bob · updated 2026-11-30$/m);
  assert.equal(
    seen.filter((s) => s.startsWith('/api/v4/projects/group%2Fproj/issues?')).length,
    2,
    seen.join('\n'),
  );
  const all = await provider({ action: 'gitlab_issues', state: 'all', limit: 5 });
  assert.match(all.text, /^GitLab group\/proj · 5 all issues of 45:/);
});

test('one issue with its long description cut, merge requests, pipelines by status', async () => {
  const one = await provider({ action: 'gitlab_issue', iid: 7 });
  assert.match(one.text, /^#7 \[opened\] Issue number 7\nby @ada → @bob · created 2026-11-01/);
  assert.match(one.text, /… \(1000 more characters at http:\/\/gitlab\.test\/group\/proj\/-\/issues\/7\)/);
  const missing = await provider({ action: 'gitlab_issue', iid: 999 });
  assert.equal(missing.isError, true);
  assert.match(missing.text, /404/);
  assert.match((await provider({ action: 'gitlab_issue' })).text, /needs iid/);

  const mrs = await provider({ action: 'gitlab_mrs' });
  assert.match(
    mrs.text,
    /^!7 \[opened, draft\] Faster index {2}fast → main {2}@ada · mergeable · updated 2026-11-29$/m,
  );
  const failed = await provider({ action: 'gitlab_pipelines', status: 'failed' });
  assert.equal(
    failed.text,
    'GitLab group/proj · 1 pipelines (failed) of 1:\n901 [failed] main @ abcdef0123 · push · 2026-11-30 09:15',
  );
});

test('a refused token is a 401 named as such; no token and no project say what to set', async () => {
  process.env.LEANCTX_TEST_GITLAB = 'wrong';
  try {
    const r = await provider({ action: 'gitlab_issues' });
    assert.equal(r.isError, true);
    assert.match(r.text, /refused the token \(401\): check GITLAB_TOKEN/);
  } finally {
    process.env.LEANCTX_TEST_GITLAB = TOKEN;
  }
  const bare = await startTestServer({ tokens: [{ id: 'dev', scopes: ['search'] }] });
  const saved = process.env.GITLAB_TOKEN;
  delete process.env.GITLAB_TOKEN;
  try {
    const none = await provider({ action: 'gitlab_issues' }, bare);
    assert.match(none.text, /no GitLab token: set GITLAB_TOKEN/);
    process.env.GITLAB_TOKEN = 'x';
    const noRemote = await provider({ action: 'gitlab_issues' }, bare);
    assert.match(noRemote.text, /give project .* has no git remote "origin"/);
  } finally {
    if (saved === undefined) delete process.env.GITLAB_TOKEN;
    else process.env.GITLAB_TOKEN = saved;
    await bare.close();
  }
});
