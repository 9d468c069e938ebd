import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createGateway } from '../../src/gateway/gateway.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import type { CallToolResult } from '../../src/tools/define-tool.ts';
import {
  configOf,
  groupMembers,
  LAZY_MCP_BIN,
  REPO_ROOT,
  SERVERS,
  tempDir,
  textOf,
  waitFor,
  writeServersJson,
} from '../helpers/gateway-servers.ts';

const tiny = {
  name: 'tiny',
  description: 'tiny',
  command: ['node', join(REPO_ROOT, 'test/fixtures/tiny-mcp-server.mjs')],
};

describe('process hygiene', () => {
  test('200 start/stop cycles leave no process behind', async () => {
    const gateway = createGateway(configOf({ servers: [tiny] }), createSilentLogger());
    const upstream = gateway.upstream('tiny');
    assert.ok(upstream);
    const groups: number[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const result: CallToolResult = await upstream.callTool('ping', {});
        assert.equal(textOf(result), 'pong');
        const pgid = upstream.status().pid;
        assert.ok(pgid);
        groups.push(pgid);
        await upstream.stop();
      }
    } finally {
      await gateway.close();
    }
    assert.equal(new Set(groups).size, 200, 'every cycle ran a fresh process group');
    const leftovers = groups.flatMap((g) => groupMembers(g));
    assert.deepEqual(leftovers, [], 'no process of any of the 200 groups is still alive');
  });

  test('when the gateway itself is killed with SIGKILL, its downstream groups die too', async () => {
    const dir = tempDir();
    const config = writeServersJson(dir, { servers: [SERVERS.fixture()], logging: { level: 'error' } });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [LAZY_MCP_BIN, '--config', config],
      stderr: 'ignore',
    });
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(transport);
    const grandchild = Number(
      textOf(
        (await client.callTool({
          name: 'invoke_command',
          arguments: { server: 'fixture', command: 'grandchild' },
        })) as never,
      ),
    );
    const listed = JSON.parse(
      textOf((await client.callTool({ name: 'list_servers', arguments: {} })) as never),
    );
    const gatewayPid = listed.pid as number;
    const pgids = groupMembersOfPid(grandchild);
    assert.equal(pgids.length, 1);
    const pgid = pgids[0] as number;
    assert.ok(groupMembers(pgid).length >= 3, 'watchdog, server and grandchild share the group');
    process.kill(gatewayPid, 'SIGKILL');
    await waitFor(() => groupMembers(pgid).length === 0, 'the orphaned group to be cleaned up');
    await client.close().catch(() => {});
  });

  test('SIGTERM to lazy-mcp stops every downstream group and exits 0', async () => {
    const dir = tempDir();
    const config = writeServersJson(dir, { servers: [tiny], logging: { level: 'error' } });
    // The test spawns lazy-mcp itself, so it sees the real exit code and signal; the SDK's
    // stdio framing runs over the child's pipes.
    const child = spawn(process.execPath, [LAZY_MCP_BIN, '--config', config], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(new StdioServerTransport(child.stdout, child.stdin));
    await client.callTool({ name: 'invoke_command', arguments: { server: 'tiny', command: 'ping' } });
    const listed = JSON.parse(
      textOf((await client.callTool({ name: 'list_servers', arguments: {} })) as never),
    );
    const pid = listed.pid as number;
    assert.equal(pid, child.pid);
    const before = childGroups(pid);
    assert.equal(before.length, 1);
    process.kill(pid, 'SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    await waitFor(() => before.every((g) => groupMembers(g).length === 0), 'the downstream group to be gone');
    await client.close().catch(() => {});
  });
});

/** The process group of a pid (via ps). */
function groupMembersOfPid(pid: number): number[] {
  const out = require_ps(['-o', 'pgid=', '-p', String(pid)]);
  return out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => n > 0);
}

/** Process groups led by direct children of `pid` (the downstream watchdogs). */
function childGroups(pid: number): number[] {
  const out = require_ps(['-eo', 'pid=,ppid=,pgid=']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter(([p, pp, g]) => pp === pid && p === g)
    .map(([p]) => p as number);
}

function require_ps(args: string[]): string {
  return execFileSync('ps', args, { encoding: 'utf8' });
}
