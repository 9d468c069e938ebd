import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { createGateway } from '../../src/gateway/gateway.ts';
import { listenGatewayHttp } from '../../src/gateway/http-front.ts';
import { createGatewayLogger, createSilentLogger } from '../../src/gateway/logger.ts';
import {
  configOf,
  connectGateway,
  LAZY_MCP_BIN,
  REPO_ROOT,
  SERVERS,
  tempDir,
  textOf,
  waitFor,
  writeServersJson,
} from '../helpers/gateway-servers.ts';

// The raw path (default) against the SDK path (`forwarding: "sdk"`) on the same script of
// calls: every message the client receives, every body dumped and every `tool call` log line
// must be the same, over both fronts, in lazy and direct mode, to a stdio and a remote server.

type Front = 'stdio' | 'http';
type Mode = 'lazy' | 'direct';
type Downstream = 'stdio' | 'remote';

interface Step {
  command: string;
  args?: Record<string, unknown>;
  /** Asks for progress (the client sends a progress token). */
  progress?: true;
  /** Cancels the call (notifications/cancelled) after this long. */
  cancelAfterMs?: number;
  /** Only with this downstream. */
  only?: Downstream;
}

const STEPS: Step[] = [
  { command: 'echo', args: { text: 'a cold call' } },
  { command: 'meta', args: { nested: [1, 'ü', { deep: null }] } },
  { command: 'fail', args: { x: 1 } },
  { command: 'nope' },
  { command: 'delete_everything' },
  { command: 'progress', args: { steps: 3 }, progress: true },
  { command: 'hang', cancelAfterMs: 300 },
  { command: 'echo', args: { text: 'after a cancelled call' } },
  { command: 'hang' },
  { command: 'echo', args: { text: 'after a timeout' } },
  { command: 'huge', args: { mib: 11 }, only: 'stdio' },
  { command: 'echo', args: { text: 'after a line over 10 MiB' }, only: 'stdio' },
  { command: 'crash' },
  { command: 'echo', args: { text: 'after a crash' } },
];

// Long enough that an 11 MiB message crosses the pipe well within it on a loaded machine (a
// timeout there would replace the size error the test compares), short enough for `hang`.
const REQUEST_TIMEOUT_MS = 4000;

/** A fixture server on Streamable HTTP, in its own process. */
async function remoteFixture(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [join(REPO_ROOT, 'test/fixtures/gateway-test-server.mjs'), '--http'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.once('exit', () => reject(new Error('the HTTP fixture exited before listening')));
    child.stdout?.on('data', (chunk: Buffer) => {
      const found = /listening (\d+)/.exec(String(chunk));
      if (found?.[1]) resolve(found[1]);
    });
  });
  return { url: `http://127.0.0.1:${port}/mcp`, child };
}

/** Records every message the client's transport delivers, before the SDK's Protocol sees it. */
function record(transport: Transport): JSONRPCMessage[] {
  const received: JSONRPCMessage[] = [];
  const onmessage = transport.onmessage;
  transport.onmessage = (message, extra) => {
    received.push(message);
    onmessage?.(message, extra);
  };
  return received;
}

interface Run {
  received: JSONRPCMessage[];
  logs: Record<string, unknown>[];
  results: (CallToolResult | string)[];
}

async function runScript(
  front: Front,
  mode: Mode,
  downstream: Downstream,
  forwarding: 'raw' | 'sdk',
): Promise<Run> {
  const remote = downstream === 'remote' ? await remoteFixture() : undefined;
  const fixture = remote
    ? { name: 'fixture', description: 'fixture over HTTP', url: remote.url }
    : SERVERS.fixture();
  const body = {
    servers: [{ ...fixture, requestTimeout: REQUEST_TIMEOUT_MS, timeout: 30_000 }],
    mode,
    forwarding,
    permissions: { rules: [{ pattern: 'delete_*', action: 'deny' }] },
    logging: { level: 'info', dumpBodies: true, maxBodyLogBytes: 1_000_000 },
    healthMonitor: { enabled: false },
  };
  const client = new Client({ name: 'equivalence', version: '1' });
  const logLines: string[] = [];
  let transport: Transport;
  let stop: () => Promise<void>;
  if (front === 'stdio') {
    const stdio = new StdioClientTransport({
      command: process.execPath,
      args: [LAZY_MCP_BIN, '--config', writeServersJson(tempDir(), body)],
      stderr: 'pipe',
    });
    stdio.stderr?.on('data', (chunk: Buffer) => logLines.push(...String(chunk).split('\n')));
    transport = stdio;
    stop = async () => {};
  } else {
    const config = configOf({ ...body, transport: { type: 'http', port: 0 } });
    const logger = createGatewayLogger(config.logging, (line) => logLines.push(line));
    const gateway = createGateway(config, logger);
    const http = await listenGatewayHttp(gateway, logger, config.transport);
    transport = new StreamableHTTPClientTransport(new URL(http.url));
    stop = async () => {
      await http.close();
      await gateway.close();
    };
  }
  const results: (CallToolResult | string)[] = [];
  let received: JSONRPCMessage[] = [];
  try {
    await client.connect(transport);
    received = record(transport);
    if (mode === 'direct') await client.listTools();
    for (const step of STEPS) {
      if (step.only && step.only !== downstream) continue;
      const call =
        mode === 'lazy'
          ? {
              name: 'invoke_command',
              arguments: { server: 'fixture', command: step.command, parameters: step.args },
            }
          : { name: `fixture__${step.command}`, arguments: step.args ?? {} };
      const abort = new AbortController();
      const timer = step.cancelAfterMs ? setTimeout(() => abort.abort(), step.cancelAfterMs) : undefined;
      try {
        const result = await client.callTool(call, undefined, {
          signal: abort.signal,
          timeout: 60_000,
          ...(step.progress ? { onprogress: () => {} } : {}),
        });
        results.push(result as CallToolResult);
      } catch (err) {
        results.push(`rejected: ${(err as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    // Late messages (an answer to the cancelled call would show here).
    await new Promise((r) => setTimeout(r, 200));
  } finally {
    await client.close().catch(() => {});
    await stop();
    remote?.child.kill();
  }
  const logs = logLines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { received, logs, results };
}

/** What may differ between two gateways: their pid, config file, ports and raw ids. */
function normalize(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value)
      .replace(/kill -HUP \d+/g, 'kill -HUP <pid>')
      .replace(/\([^()"]*servers\.json\)/g, '(<config>)')
      .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>'),
  );
}

/** A dumped body as its direction and kind (ids differ: the raw path numbers its own). */
function dumpKinds(logs: Record<string, unknown>[]): string[] {
  return logs
    .filter((l) => typeof l.body === 'string')
    .map((l) => {
      const body = JSON.parse(l.body as string) as Record<string, unknown>;
      const kind = typeof body.method === 'string' ? body.method : 'error' in body ? 'error' : 'result';
      return `${l.msg}: ${kind}`;
    })
    .sort();
}

/** The `tool call` access lines without their duration. */
function toolCallLines(logs: Record<string, unknown>[]): unknown[] {
  return logs
    .filter((l) => l.msg === 'tool call')
    .map(({ lazyTool, downstreamServer, downstreamCommand, status, reason }) => ({
      lazyTool,
      downstreamServer,
      downstreamCommand,
      status,
      reason,
    }));
}

function textOfResult(result: CallToolResult | string | undefined): string {
  if (typeof result === 'string' || !result) return String(result);
  return (result.content[0] as { text?: string } | undefined)?.text ?? '';
}

describe('the raw tools/call path answers as the SDK path does', () => {
  for (const front of ['stdio', 'http'] as const) {
    for (const mode of ['lazy', 'direct'] as const) {
      for (const downstream of ['stdio', 'remote'] as const) {
        test(`${front} front, ${mode} mode, ${downstream} server: the same messages, body dumps and tool call lines`, async () => {
          const [raw, sdk] = await Promise.all([
            runScript(front, mode, downstream, 'raw'),
            runScript(front, mode, downstream, 'sdk'),
          ]);
          // The script did what it says (so equal cannot mean equally broken).
          const steps = STEPS.filter((s) => !s.only || s.only === downstream);
          const text = (command: string, nth = 0) =>
            textOfResult(raw.results.filter((_, i) => steps[i]?.command === command)[nth]);
          assert.equal(text('echo'), 'echo: a cold call');
          const meta = raw.results[steps.findIndex((s) => s.command === 'meta')] as CallToolResult;
          assert.deepEqual(meta._meta, { fixture: { echoed: { nested: [1, 'ü', { deep: null }] } } });
          assert.match(text('fail'), /MCP error -32042: the fixture failed on purpose/);
          assert.match(text('nope'), /unknown (command|tool)/);
          // Direct mode does not list a denied command at all.
          assert.match(
            text('delete_everything'),
            mode === 'lazy' ? /Blocked by lazy-mcp policy/ : /unknown tool "fixture__delete_everything"/,
          );
          // Counted at the transport: the client SDK drops a progress read in the same chunk as the answer.
          const relayed = raw.received.filter((m) => 'method' in m && m.method === 'notifications/progress');
          assert.deepEqual(
            relayed.map((m) => (m as unknown as { params: { progress: number } }).params.progress),
            [1, 2, 3],
          );
          assert.match(text('hang'), /^rejected: .*AbortError/);
          assert.match(text('hang', 1), new RegExp(`did not answer within ${REQUEST_TIMEOUT_MS} ms`));
          assert.equal(text('echo', 2), 'echo: after a timeout');
          if (downstream === 'stdio') {
            assert.match(text('huge'), /more than 10485760 bytes/);
            assert.equal(text('echo', 4), 'echo: after a crash', 'a crashed local server is restarted');
          }

          assert.deepEqual(
            normalize(raw.received),
            normalize(sdk.received),
            'the client receives the same messages',
          );
          assert.deepEqual(dumpKinds(raw.logs), dumpKinds(sdk.logs), 'the same bodies are dumped');
          assert.deepEqual(toolCallLines(raw.logs), toolCallLines(sdk.logs), 'the same tool call lines');
        });
      }
    }
  }
});

describe('the raw path around a call', () => {
  test('a remote answer over 10 MiB fails that call with the limit named, and the server keeps serving', async () => {
    const remote = await remoteFixture();
    const gw = await connectGateway({
      servers: [{ name: 'fixture', description: 'over HTTP', url: remote.url }],
    });
    try {
      const huge = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'huge',
        parameters: { mib: 11 },
      });
      assert.equal(huge.isError, true);
      assert.match(textOf(huge), /more than 10485760 characters \(the limit per downstream message\)/);
      const nine = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'huge',
        parameters: { mib: 9 },
      });
      assert.equal(textOf(nine).length, 9 * 1024 * 1024);
      const echo = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'ok' },
      });
      assert.equal(textOf(echo), 'echo: ok');
    } finally {
      await gw.close();
      remote.child.kill();
    }
  });

  for (const forwarding of ['raw', 'sdk'] as const) {
    test(`a call the client cancels is cancelled downstream and leaves the server healthy (${forwarding})`, async () => {
      const logLines: string[] = [];
      const logger = createGatewayLogger(
        { level: 'error', format: 'json', dumpBodies: true, maxBodyLogBytes: 100_000 },
        (line) => logLines.push(line),
      );
      const gw = await connectGateway({ servers: [SERVERS.fixture()], forwarding }, { logger });
      try {
        await gw.call('invoke_command', { server: 'fixture', command: 'echo', parameters: { text: 'warm' } });
        const abort = new AbortController();
        setTimeout(() => abort.abort(), 300);
        const call = { name: 'invoke_command', arguments: { server: 'fixture', command: 'hang' } };
        await assert.rejects(gw.client.callTool(call, undefined, { signal: abort.signal }));
        await waitFor(
          () =>
            logLines.some((l) => l.includes('gateway → downstream') && l.includes('notifications/cancelled')),
          'the cancellation to reach the server',
        );
        const listed = JSON.parse(textOf(await gw.call('list_servers'))).servers[0];
        assert.equal(listed.health, 'healthy');
        assert.equal(listed.last_error, undefined);
      } finally {
        await gw.close();
      }
    });

    test(`closing an HTTP session ends the stream of a call still running (${forwarding})`, async () => {
      const config = configOf({
        servers: [SERVERS.fixture()],
        forwarding,
        transport: { type: 'http', port: 0 },
      });
      const gateway = createGateway(config, createSilentLogger());
      const http = await listenGatewayHttp(gateway, createSilentLogger(), config.transport);
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      try {
        const init = await fetch(http.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 1,
            method: 'initialize',
            params: {
              protocolVersion: '2025-06-18',
              capabilities: {},
              clientInfo: { name: 't', version: '1' },
            },
          }),
        });
        await init.text();
        const session = { ...headers, 'mcp-session-id': init.headers.get('mcp-session-id') ?? '' };
        const hang = await fetch(http.url, {
          method: 'POST',
          headers: session,
          body: JSON.stringify({
            jsonrpc: '2.0',
            id: 2,
            method: 'tools/call',
            params: { name: 'invoke_command', arguments: { server: 'fixture', command: 'hang' } },
          }),
        });
        assert.equal(hang.status, 200);
        assert.equal(hang.headers.get('content-type'), 'text/event-stream');
        const body = hang.text();
        await new Promise((r) => setTimeout(r, 300));
        const closed = await fetch(http.url, { method: 'DELETE', headers: session });
        assert.equal(closed.status, 200);
        assert.equal(await body, '', 'the stream ended without an answer');
      } finally {
        await http.close();
        await gateway.close();
      }
    });
  }
});
