import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { builtinTools } from '../../src/tools/all-tools.ts';
import { callTool, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/**
 * Arguments for every built-in tool, chosen so each one does real work on the sample
 * workspace. A new tool with required arguments fails the first test until it is added here.
 */
const SAMPLE_ARGS: Record<string, Record<string, unknown>> = {
  ctx_read: { path: 'src/index.ts', mode: 'signatures' },
  ctx_multi_read: { paths: ['src/index.ts', 'src/util.ts'] },
  ctx_smart_read: { path: 'src/util.ts' },
  ctx_delta: { path: 'src/index.ts' },
  ctx_outline: { path: 'src/index.ts' },
  ctx_symbol: { name: 'main' },
  ctx_fill: { paths: ['src/index.ts', 'README.md'], budget: 500 },
  ctx_dedup: {},
  ctx_analyze: { path: 'src/index.ts' },
  ctx_benchmark: { path: 'src/index.ts' },
  ctx_compress: {},
  ctx_context: {},
  ctx_cache: { action: 'status' },
  ctx_search: { pattern: 'export' },
  ctx_tree: {},
  ctx_overview: { task: 'add numbers' },
  ctx_expand: { action: 'list' },
  ctx_semantic_search: { query: 'add numbers' },
  ctx_preload: { task: 'main entry point' },
  ctx_prefetch: { task: 'main' },
  ctx_call: { name: 'ctx_tree', arguments: { depth: 1 } },
  ctx_discover_tools: { query: 'read' },
  ctx_metrics: {},
  ctx_session: { action: 'status' },
  ctx_handoff: { action: 'list' },
  ctx_agent: { action: 'list' },
  ctx_share: { action: 'list' },
  ctx_task: { action: 'list' },
  ctx_workflow: { action: 'status' },
  ctx_intent: { query: 'fix the failing add test' },
  ctx_knowledge: { action: 'status' },
  ctx_knowledge_relations: { action: 'list' },
  ctx_graph: { action: 'status' },
  ctx_callers: { symbol: 'main' },
  ctx_callees: { symbol: 'main' },
  ctx_index: { action: 'status' },
  ctx_routes: {},
  ctx_smells: { action: 'summary' },
  ctx_review: { action: 'review', path: 'src/index.ts' },
  ctx_pack: { action: 'pr', diff: 'M\tsrc/index.ts\n' },
  ctx_callgraph: { symbol: 'main' },
  ctx_impact: { path: 'src/index.ts' },
  ctx_graph_diagram: { file: 'src/index.ts' },
  ctx_architecture: { action: 'health' },
  ctx_shell: { command: 'ls -la' },
  ctx_edit: { path: '.gitignore', old_string: 'dist/', new_string: 'dist/\nbuild/', replace_all: true },
  ctx_execute: { language: 'javascript', code: 'console.log(6 * 7)' },
  ctx_provider: { action: 'gitlab_issues', project: 'group/proj' },
  ctx_discover: {},
  ctx_gain: { action: 'report', period: 'all' },
  ctx_wrapped: { period: 'week' },
  ctx_cost: { action: 'status' },
  ctx_heatmap: { action: 'cold' },
  ctx_feedback: { action: 'status' },
  ctx_response: { text: 'Sure! The answer is `main()` in src/index.ts, returning 42. I hope this helps!' },
  ctx_compress_memory: { path: 'README.md' },
  ctx_artifacts: { action: 'index', path: 'README.md' },
  ctx_proof: { format: 'summary' },
  ctx_verify: { action: 'stats' },
};

function textOf(result: { content: { type: string; text?: string }[] }): string {
  return result.content.map((c) => c.text ?? '').join('\n');
}

describe('every built-in tool answers over REST and over MCP alike', () => {
  let srv: RunningTestServer;
  let client: Client;
  // ctx_provider's GitLab: one open issue, for the token "t"
  const gitlab = createServer((req, res) => {
    const ok = req.headers['private-token'] === 't';
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json', 'x-total': '1', 'x-next-page': '' });
    res.end(
      JSON.stringify(
        ok ? [{ iid: 1, title: 'One issue', state: 'opened', author: { username: 'ada' } }] : {},
      ),
    );
  });
  before(async () => {
    await new Promise<void>((r) => gitlab.listen(0, '127.0.0.1', r));
    srv = await startTestServer({
      config: {
        toolSurface: 'all',
        providers: {
          gitlab: { url: `http://127.0.0.1:${(gitlab.address() as AddressInfo).port}`, token: 't' },
        },
      },
      tokens: [{ id: 'alice', role: 'admin', scopes: ['exec'] }],
      workspace: { allowExec: true },
    });
    client = new Client({ name: 'every-tool', version: '1' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${srv.tokens.alice}` } },
      }),
    );
  });
  after(async () => {
    await client.close();
    await srv.close();
    gitlab.close();
  });

  test('REST manifest, MCP tools/list and the registry name the same tools', async () => {
    const registry = builtinTools()
      .map((t) => t.name)
      .sort();
    const mcp = (await client.listTools()).tools.map((t) => t.name).sort();
    const manifest = (await (await srv.request('/v1/manifest', { as: 'alice' })).json()) as {
      tools: { name: string }[];
    };
    assert.deepEqual(mcp, registry);
    assert.deepEqual(manifest.tools.map((t) => t.name).sort(), registry);
    assert.deepEqual(Object.keys(SAMPLE_ARGS).sort(), registry, 'SAMPLE_ARGS covers every tool');
  });

  for (const tool of builtinTools()) {
    test(`${tool.name}`, async () => {
      const args = SAMPLE_ARGS[tool.name] ?? {};
      const res = await callTool(srv, 'alice', { name: tool.name, arguments: args, contextId: 'every-tool' });
      assert.equal(res.status, 200, `${tool.name} over REST: ${await res.clone().text()}`);
      const rest = (
        (await res.json()) as { result: { content: { type: string; text?: string }[]; isError?: boolean } }
      ).result;
      const mcp = (await client.callTool({ name: tool.name, arguments: args })) as {
        content: { type: string; text?: string }[];
        isError?: boolean;
      };
      for (const [via, result] of [
        ['REST', rest],
        ['MCP', mcp],
      ] as const) {
        assert.ok(result.content.length > 0, `${tool.name} over ${via} returned content`);
        const text = textOf(result);
        assert.ok(text.trim().length > 0, `${tool.name} over ${via} returned text`);
        assert.ok(!result.isError, `${tool.name} over ${via} failed: ${text.slice(0, 300)}`);
      }
    });
  }
});
