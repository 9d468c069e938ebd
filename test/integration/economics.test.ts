import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { countTokens } from '../../src/engine/tokens.ts';
import type { CostReport, GainReport } from '../../src/reports/economics.ts';
import { type TestDatabase, withTestDatabase } from '../helpers/postgres.ts';
import { callTool, callToolText, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

const body = (name: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `export function ${name}${i}(values: number[], scale: number): number {\n  let sum = 0;\n  for (const v of values) sum += v * scale + ${i};\n  return sum;\n}\n`,
  ).join('\n');

const FILES = {
  'src/alpha.ts': body('alpha', 8),
  'src/lib/beta.ts': body('beta', 5),
  'docs/guide.md': '# Guide\n\nNothing here is read.\n',
  'README.md': '# Project\n',
};

/** The same traffic and reports on each store (PostgreSQL in a database of this run, dropped after). */
const economicsOn = (backEnd: 'sqlite' | 'postgres') => () => {
  let pg: TestDatabase | undefined;
  let srv: RunningTestServer;
  let mcp: Client;
  /** What each read sent, counted on the text the client received. */
  const sent: { tool: string; path: string; tokens: number }[] = [];

  before(async () => {
    if (backEnd === 'postgres') pg = await withTestDatabase();
    srv = await startTestServer({
      ...(pg ? { config: { store: { kind: 'postgres', url: pg.url } } } : {}),
      files: FILES,
      tokens: [
        { id: 'alice', role: 'admin' },
        { id: 'bob', role: 'member' },
      ],
    });
    mcp = new Client({ name: 'economics-test', version: '1.0.0' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${srv.tokens.bob}` } },
      }),
    );
    // REST reads by alice in two contexts, an MCP read by bob, and a read that fails
    for (const [ctxId, path, mode] of [
      ['c1', 'src/alpha.ts', 'signatures'],
      ['c2', 'src/alpha.ts', 'full'],
      ['c1', './src/lib/beta.ts', 'map'],
    ] as const) {
      const text = await callToolText(srv, 'alice', 'ctx_read', { path, mode }, ctxId);
      sent.push({ tool: 'ctx_read', path: path.replace('./', ''), tokens: countTokens(text) });
    }
    const viaMcp = await mcp.callTool({
      name: 'ctx_read',
      arguments: { path: 'src/lib/beta.ts', mode: 'signatures' },
    });
    const mcpText = (viaMcp.content as { text: string }[])[0]?.text ?? '';
    sent.push({ tool: 'ctx_read', path: 'src/lib/beta.ts', tokens: countTokens(mcpText) });
    const missing = await callTool(srv, 'alice', { name: 'ctx_read', arguments: { path: 'src/none.ts' } });
    assert.equal(missing.status, 200);
    const failed = (await missing.json()) as { result: { content: { text: string }[]; isError?: boolean } };
    assert.equal(failed.result.isError, true);
    sent.push({
      tool: 'ctx_read',
      path: '(failed)',
      tokens: countTokens(failed.result.content[0]?.text ?? ''),
    });
    await waitForCalls(5);
  });
  after(async () => {
    await mcp?.close();
    await srv?.close();
    await pg?.drop();
  });

  const getJson = async <T>(path: string, as = 'alice'): Promise<T> => {
    const res = await srv.request(path, { as });
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  /** The bookkeeping of a call runs after its answer: wait until the report holds `n` ctx_read calls. */
  async function waitForCalls(n: number) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const gain = await getJson<GainReport>('/v1/gain?workspaceId=main');
      if ((gain.byTool.find((t) => t.tool === 'ctx_read')?.calls ?? 0) >= n) return;
      if (Date.now() > deadline) throw new Error(`only ${JSON.stringify(gain.byTool)} after 10 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const mcpText = async (name: string, args: Record<string, unknown>) => {
    const res = await mcp.callTool({ name, arguments: args });
    return { text: (res.content as { text: string }[])[0]?.text ?? '', isError: res.isError === true };
  };

  test('GET /v1/gain counts the tokens each client received and the raw size of what was read', async () => {
    const gain = await getJson<GainReport>('/v1/gain?period=week');
    const read = gain.byTool.find((t) => t.tool === 'ctx_read');
    assert.ok(read);
    assert.equal(read.calls, 5);
    assert.equal(read.errors, 1);
    assert.equal(
      read.tokensSent,
      sent.reduce((n, s) => n + s.tokens, 0),
      'sent = the o200k tokens of every answer, the failed one included',
    );
    // the full read of alpha stood in for alpha itself: raw ≥ what it sent
    assert.ok(read.tokensRaw >= countTokens(FILES['src/alpha.ts']), JSON.stringify(read));
    assert.ok(read.tokensSaved > 0 && read.tokensSaved < read.tokensRaw);
    assert.equal(read.tokensSaved + read.tokensSent > read.tokensRaw, true, 'saved is raw − sent, not raw');
    assert.deepEqual(gain.byAgent.map((a) => [a.agentId, a.calls]).sort(), [
      ['alice', 4],
      ['bob', 1],
    ]);
    assert.equal(gain.totals.savedUsd, Math.round(gain.totals.tokensSaved * 3) / 1e6);
  });

  test('GET /v1/heatmap counts successful reads per workspace-relative file and directory', async () => {
    const map = await getJson<{ files: unknown[]; dirs: unknown[] }>('/v1/heatmap?limit=10&period=month');
    const sentTo = (path: string) => sent.filter((s) => s.path === path).reduce((n, s) => n + s.tokens, 0);
    assert.deepEqual(
      map.files.map((f) => {
        const { tokensRaw: _, ...rest } = f as { tokensRaw: number };
        return rest;
      }),
      [
        { workspaceId: 'main', path: 'src/alpha.ts', reads: 2, tokensSent: sentTo('src/alpha.ts') },
        { workspaceId: 'main', path: 'src/lib/beta.ts', reads: 2, tokensSent: sentTo('src/lib/beta.ts') },
      ],
    );
    assert.deepEqual(
      map.dirs.map((d) => [(d as { path: string }).path, (d as { reads: number }).reads]),
      [
        ['src', 4],
        ['src/lib', 2],
      ],
    );
    const one = await getJson<{ files: unknown[]; dirs: unknown[] }>('/v1/heatmap?limit=1');
    assert.equal(one.files.length, 1);
  });

  test('the reports need the audit scope and name a bad period', async () => {
    const denied = await srv.request('/v1/gain', { as: 'bob' });
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as { error_code: string }).error_code, 'scope_denied');
    const bad = await srv.request('/v1/cost?period=year', { as: 'alice' });
    assert.equal(bad.status, 400);
    const err = (await bad.json()) as { error_code: string; error: string };
    assert.equal(err.error_code, 'invalid_request');
    assert.match(err.error, /period/);
    const unknown = await srv.request('/v1/heatmap?workspaceId=nope', { as: 'alice' });
    assert.equal(((await unknown.json()) as { error_code: string }).error_code, 'unknown_workspace');
  });

  test('ctx_gain over MCP reports the same figures as GET /v1/gain', async () => {
    const { text, isError } = await mcpText('ctx_gain', { action: 'json', period: 'all' });
    assert.equal(isError, false, text);
    const viaTool = JSON.parse(text) as GainReport;
    const viaRest = await getJson<GainReport>('/v1/gain?workspaceId=main');
    const reads = (r: GainReport) => r.byTool.find((t) => t.tool === 'ctx_read');
    assert.deepEqual(reads(viaTool), reads(viaRest));
    const status = await mcpText('ctx_gain', { action: 'status' });
    assert.match(status.text, new RegExp(`saved ${viaTool.totals.tokensSaved.toLocaleString('en-US')} tok`));
    const wrapped = await mcpText('ctx_wrapped', { period: 'week' });
    assert.match(wrapped.text, /most-read file: src\/(alpha|lib\/beta)\.ts \(2 reads\)/);
    const model = await mcpText('ctx_gain', { action: 'cost', model: 'no-such-model' });
    assert.equal(model.isError, true);
    assert.match(model.text, /no price for model "no-such-model"; use one of .*gpt-5/);
  });

  test('ctx_heatmap over REST lists hot files, directories and the files never read', async () => {
    const hot = await callToolText(srv, 'alice', 'ctx_heatmap', { action: 'status' });
    assert.match(hot, /src\/alpha\.ts: 2 reads/);
    const dirs = await callToolText(srv, 'alice', 'ctx_heatmap', { action: 'dirs' });
    assert.match(dirs, /^ {2}src: 4 reads/m);
    const under = await callToolText(srv, 'alice', 'ctx_heatmap', { action: 'directory', path: 'src/lib' });
    assert.doesNotMatch(under, /alpha/);
    assert.match(under, /src\/lib\/beta\.ts: 2 reads/);
    const cold = await callToolText(srv, 'alice', 'ctx_heatmap', { action: 'cold' });
    assert.match(cold, /^2 of 4 files under \. never read/);
    assert.match(cold, /docs\/guide\.md/);
    assert.match(cold, /README\.md/);
  });

  test('ctx_feedback records LLM round trips and GET /v1/cost prices them beside the savings', async () => {
    const rec = await mcpText('ctx_feedback', {
      action: 'record',
      llm_input_tokens: 12_000,
      llm_output_tokens: 800,
      latency_ms: 1500,
      model: 'claude-sonnet-4',
      intent: 'refactor',
    });
    assert.equal(rec.isError, false, rec.text);
    const missing = await mcpText('ctx_feedback', { action: 'record', llm_input_tokens: 5 });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /llm_output_tokens/);
    const cost = await getJson<CostReport>('/v1/cost');
    assert.equal(cost.llm.entries, 1);
    assert.equal(cost.llm.inputTokens, 12_000);
    assert.equal(cost.llm.inputTokensWithoutSavings, 12_000 + cost.totals.tokensSaved);
    const tasks = await callToolText(srv, 'alice', 'ctx_gain', { action: 'tasks' });
    assert.match(tasks, /refactor: 1 round trips, 12,000 in \/ 800 out tok/);
  });

  test('ctx_cost reset: your own count only, unless you hold the audit scope; usage stays', async () => {
    const other = await mcpText('ctx_cost', { action: 'reset', agent_id: 'alice' });
    assert.equal(other.isError, true);
    assert.match(other.text, /needs the audit scope/);
    const own = await mcpText('ctx_cost', { action: 'reset' });
    assert.equal(own.isError, false, own.text);
    const cost = await getJson<CostReport>('/v1/cost?period=all');
    assert.deepEqual(
      cost.resets.map((r) => [r.agentId, r.resetBy]),
      [['bob', 'bob']],
    );
    // bob's count restarts (only calls recorded after the reset, which save nothing); gain keeps them all
    const bobCost = cost.byAgent.find((a) => a.agentId === 'bob');
    const bobGain = (await getJson<GainReport>('/v1/gain')).byAgent.find((a) => a.agentId === 'bob');
    assert.ok(bobGain && bobGain.calls >= 5 && bobGain.tokensSaved > 0, JSON.stringify(bobGain));
    assert.ok((bobCost?.calls ?? 0) <= 2 && (bobCost?.tokensSaved ?? 0) === 0, JSON.stringify(bobCost));
    assert.ok(cost.byAgent.find((a) => a.agentId === 'alice')?.tokensSaved, 'alice keeps counting');
    const all = await callToolText(srv, 'alice', 'ctx_cost', { action: 'reset', agent_id: '*' });
    assert.match(all, /every agent/);
  });
};

describe('the economics tools and reports on real traffic (SQLite)', economicsOn('sqlite'));
describe('the economics tools and reports on real traffic (PostgreSQL)', economicsOn('postgres'));
