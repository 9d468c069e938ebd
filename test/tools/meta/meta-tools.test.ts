import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SCOPES } from '../../../src/auth/scopes.ts';
import { createWorkspace } from '../../../src/engine/workspace.ts';
import { createSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { builtinTools } from '../../../src/tools/all-tools.ts';
import type { ToolContext } from '../../../src/tools/define-tool.ts';
import { createToolRegistry } from '../../../src/tools/registry.ts';
import { makeGitRepo } from '../../helpers/git-repo.ts';
import { createDirectTools, type DirectTools, sessionParts } from '../../helpers/tool-context.ts';

let tools: DirectTools;
before(() => {
  tools = createDirectTools(makeGitRepo({ 'src/a.ts': 'export function alpha() {}\n' }));
});
after(() => tools.close());

test('ctx_call runs the named tool with its arguments and returns its answer unchanged', async () => {
  const direct = await tools.text('ctx_search', { pattern: 'alpha' });
  const viaCall = await tools.text('ctx_call', { name: 'ctx_search', arguments: { pattern: 'alpha' } });
  assert.equal(viaCall, direct);
  assert.match(viaCall, /^src\/a\.ts:1 export function alpha/);
});

test('ctx_call with an unknown name fails and lists close names', async () => {
  const result = await tools.call('ctx_call', { name: 'ctx_serch', arguments: {} });
  assert.equal(result.isError, true);
  const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
  assert.match(text, /unknown tool "ctx_serch"; did you mean ctx_search/);
});

test('ctx_call refuses to call itself', async () => {
  const result = await tools.call('ctx_call', { name: 'ctx_call', arguments: {} });
  assert.equal(result.isError, true);
});

test('ctx_discover_tools finds tools by keyword, with their arguments, and lists all for ""', async () => {
  const text = await tools.text('ctx_discover_tools', { query: 'archive' });
  assert.match(text, /^ctx_expand\(id, action, start_line, end_line, search\): /m);
  assert.match(text, /Call: ctx_call/);
  const fuzzy = await tools.text('ctx_discover_tools', { query: 'serch' });
  assert.match(fuzzy, /ctx_search\(pattern\*/);
  const all = await tools.text('ctx_discover_tools', { query: '' });
  assert.match(all, /^All \d+ tools: .*ctx_metrics/);
  assert.match(await tools.text('ctx_discover_tools', { query: 'zzqx' }), /No tool matches/);
});

/** Tool names in a ctx_discover_tools answer, in its order. */
const discovered = (text: string) => [...text.matchAll(/^(ctx_\w+)\(/gm)].map((m) => m[1]!);

test('ctx_discover_tools ranks by stems, argument docs and synonym phrases, best first', async () => {
  const callers = discovered(await tools.text('ctx_discover_tools', { query: 'callers' }));
  assert.equal(callers[0], 'ctx_callers', callers.join(', '));
  assert.ok(!callers.includes('ctx_call'), 'a stem does not swallow a shorter name');
  const who = discovered(await tools.text('ctx_discover_tools', { query: 'who calls this function' }));
  assert.equal(who[0], 'ctx_callers', who.join(', '));
  assert.equal(discovered(await tools.text('ctx_discover_tools', { query: 'duplicate' }))[0], 'ctx_dedup');
  assert.equal(
    discovered(await tools.text('ctx_discover_tools', { query: 'find duplicated code' }))[0],
    'ctx_dedup',
  );
  // the example: "blast radius" finds ctx_impact (and ctx_graph's impact action)
  assert.deepEqual(discovered(await tools.text('ctx_discover_tools', { query: 'blast radius' })), [
    'ctx_impact',
    'ctx_graph',
  ]);
  // an argument's doc counts: ctx_read's `mode` is documented, no tool is named after it
  const modes = discovered(await tools.text('ctx_discover_tools', { query: 'signatures' }));
  assert.ok(modes.length > 0 && modes.length <= 15, modes.join(', '));
  const typo = discovered(await tools.text('ctx_discover_tools', { query: 'serch files' }));
  assert.ok(typo.slice(0, 2).includes('ctx_search'), typo.join(', '));
});

test('ctx_metrics sums recorded usage for the context, the agent, or the workspace', async () => {
  const registry = createToolRegistry(builtinTools());
  const store = createSqliteStore(':memory:');
  const workspace = createWorkspace({
    id: 'w1',
    root: makeGitRepo({ 'a.ts': 'x\n' }),
    dataDir: mkdtempSync(join(tmpdir(), 'leanctx-data-')),
  });
  const base = { workspaceId: 'w1', durationMs: 1, isError: false };
  await store.usage.record({
    ...base,
    agentId: 'ann',
    ...sessionParts(store, 'ann'),
    contextId: 'c1',
    tool: 'ctx_read',
    tokensSent: 100,
    tokensSaved: 300,
  });
  await store.usage.record({
    ...base,
    agentId: 'ann',
    contextId: 'c2',
    tool: 'ctx_search',
    tokensSent: 50,
    tokensSaved: 0,
  });
  await store.usage.record({
    ...base,
    agentId: 'bob',
    contextId: 'c3',
    tool: 'ctx_read',
    tokensSent: 10,
    tokensSaved: 0,
  });
  const ctx: ToolContext = {
    workspace,
    channelId: 'main',
    agentId: 'ann',
    ...sessionParts(store, 'ann'),
    contextId: 'c1',
    scopes: new Set(SCOPES),
    signal: new AbortController().signal,
    callTool: async () => ({ content: [] }),
    emit: () => {},
    listTools: () => registry.all().map((t) => registry.info(t)),
    store,
    gateway: undefined,
    downstreamServers: undefined,
  };
  const run = async (scope: string) => {
    const { result: r } = await registry.run(registry.get('ctx_metrics')!, { scope }, ctx);
    return r.content[0]?.type === 'text' ? r.content[0].text : '';
  };
  assert.match(await run('context'), /^context c1: 1 calls, 100 tok sent, 300 tok saved \(75%\)/);
  assert.match(await run('agent'), /^agent ann: 2 calls, 150 tok sent, 300 tok saved/);
  const ws = await run('workspace');
  assert.match(ws, /^workspace w1: 3 calls, 160 tok sent/);
  assert.match(ws, /ctx_read: 2 calls, 110 sent, 300 saved/);
  await workspace.close();
  await store.close();
});
