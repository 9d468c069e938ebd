import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { callTool, callToolText, type RunningTestServer, startTestServer } from '../helpers/team-server.ts';

/** The issue's own example, verbatim: `writing` is a transition target it does not declare. */
const READ_ONLY_SPEC =
  '{"name": "read-only", "initial": "reading", "states": {"reading": {"allowed_tools": ["ctx_read", "ctx_workflow", "ctx_session"], "transitions": ["writing"], "requires_evidence": []}}}';

const textOf = (r: unknown) =>
  ((r as { content: { text?: string }[] }).content ?? []).map((c) => c.text ?? '').join('\n');

async function expectDenied(call: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof McpError, String(err));
    const data = err.data as Record<string, unknown>;
    assert.equal(data.error_code, 'workflow_denied');
    return data;
  }
  return assert.fail('the call was not refused');
}

describe('a workflow state restricts the tools its context may call', () => {
  let srv: RunningTestServer;
  let client: Client;
  let transport: StreamableHTTPClientTransport;
  before(async () => {
    srv = await startTestServer({
      tokens: [
        { id: 'alice', role: 'member' },
        { id: 'bob', role: 'member' },
      ],
    });
    client = new Client({ name: 'cursor', version: '1' });
    transport = new StreamableHTTPClientTransport(new URL(`${srv.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${srv.tokens.alice}` } },
    });
    await client.connect(transport);
  });
  after(async () => {
    await client.close();
    await srv.close();
  });

  test('a state without ctx_search refuses it over MCP, over REST and through ctx_call, in that context only', async () => {
    const started = textOf(
      await client.callTool({ name: 'ctx_workflow', arguments: { action: 'start', spec: READ_ONLY_SPEC } }),
    );
    assert.match(started, /workflow read-only: state "reading"/);
    assert.match(started, /writing not declared in states: final, without restrictions/);

    const viaMcp = await expectDenied(
      client.callTool({ name: 'ctx_search', arguments: { pattern: 'main' } }),
    );
    assert.deepEqual(viaMcp.allowed, ['ctx_read', 'ctx_workflow', 'ctx_session']);
    await expectDenied(
      client.callTool({
        name: 'ctx_call',
        arguments: { name: 'ctx_search', arguments: { pattern: 'main' } },
      }),
    );
    const read = await client.callTool({ name: 'ctx_read', arguments: { path: 'src/index.ts' } });
    assert.ok(!read.isError, 'an allowed tool still runs');

    // the same context over REST: the MCP session id is the context
    const contextId = transport.sessionId as string;
    const rest = await callTool(srv, 'alice', {
      name: 'ctx_search',
      arguments: { pattern: 'main' },
      contextId,
    });
    assert.equal(rest.status, 403);
    const body = (await rest.json()) as { error_code: string; error: string; state: string };
    assert.equal(body.error_code, 'workflow_denied');
    assert.match(body.error, /ctx_search is not allowed in state "reading" of workflow "read-only"/);
    const nested = await callTool(srv, 'alice', {
      name: 'ctx_call',
      arguments: { name: 'ctx_search', arguments: { pattern: 'main' } },
      contextId,
    });
    assert.equal(nested.status, 403);

    // other contexts and other tokens are not bound by it
    assert.equal(
      (
        await callTool(srv, 'alice', {
          name: 'ctx_search',
          arguments: { pattern: 'main' },
          contextId: 'other',
        })
      ).status,
      200,
    );
    assert.equal(
      (await callTool(srv, 'bob', { name: 'ctx_search', arguments: { pattern: 'main' } })).status,
      200,
    );

    const moved = textOf(
      await client.callTool({ name: 'ctx_workflow', arguments: { action: 'transition', to: 'writing' } }),
    );
    assert.match(moved, /state "writing"/);
    const search = await client.callTool({ name: 'ctx_search', arguments: { pattern: 'main' } });
    assert.ok(!search.isError, 'the next state allows every tool');
  });

  test('plan_code_test moves only with its evidence, and says what is missing', async () => {
    const ctx = 'builtin';
    const call = (args: Record<string, unknown>) =>
      callTool(srv, 'bob', { name: 'ctx_workflow', arguments: args, contextId: ctx });
    const resultOf = async (res: Response) =>
      ((await res.json()) as { result: { content: { text: string }[]; isError?: boolean } }).result;
    assert.match(
      (await resultOf(await call({ action: 'start' }))).content[0]?.text ?? '',
      /state "planning"/,
    );
    const denied = await callTool(srv, 'bob', {
      name: 'ctx_cache',
      arguments: { action: 'clear' },
      contextId: ctx,
    });
    assert.equal(denied.status, 403, 'planning allows only reading tools');

    const early = await resultOf(await call({ action: 'transition', to: 'coding' }));
    assert.equal(early.isError, true);
    assert.match(early.content[0]?.text ?? '', /entering "coding" needs evidence "plan"/);
    await call({ action: 'evidence_add', key: 'plan', value: 'split auth.ts in two' });
    assert.match(
      await callToolText(srv, 'bob', 'ctx_workflow', { action: 'transition', to: 'coding' }, ctx),
      /state "coding"/,
    );
    assert.equal(
      (await callTool(srv, 'bob', { name: 'ctx_cache', arguments: { action: 'clear' }, contextId: ctx }))
        .status,
      200,
    );
    await callToolText(srv, 'bob', 'ctx_workflow', { action: 'transition', to: 'testing' }, ctx);
    const notYet = await resultOf(await call({ action: 'complete' }));
    assert.match(notYet.content[0]?.text ?? '', /entering "done" needs evidence "tests"/);
    await call({ action: 'evidence_add', key: 'tests', value: '42 passed' });
    assert.match(await callToolText(srv, 'bob', 'ctx_workflow', { action: 'complete' }, ctx), /state "done"/);
    assert.match(
      await callToolText(srv, 'bob', 'ctx_workflow', { action: 'evidence_list' }, ctx),
      /plan: split auth.ts in two \(bob/,
    );
  });

  test('a malformed spec is a 400 naming the field', async () => {
    const res = await callTool(srv, 'bob', {
      name: 'ctx_workflow',
      arguments: {
        action: 'start',
        spec: { name: 'x', initial: 'nowhere', states: { a: { transitions: [] } } },
      },
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error_code: string; error: string };
    assert.equal(body.error_code, 'invalid_arguments');
    assert.match(body.error, /spec\.initial: "nowhere" is not one of the states/);
    const notJson = await callTool(srv, 'bob', {
      name: 'ctx_workflow',
      arguments: { action: 'start', spec: '{' },
    });
    assert.match(((await notJson.json()) as { error: string }).error, /spec: not valid JSON/);
  });
});
