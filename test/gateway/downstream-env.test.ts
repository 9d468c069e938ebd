import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { parseServersConfig } from '../../src/config/servers-config.ts';
import { createGateway } from '../../src/gateway/gateway.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import { createGatewayMcpServer } from '../../src/gateway/mcp-front.ts';
import { REPO_ROOT, SERVERS, tempDir, textOf } from '../helpers/gateway-servers.ts';

const SECRET = 'team-server-secret-0123456789';

/** A gateway whose own environment holds a secret, as the team server's does. */
async function gatewayWithSecret(servers: unknown[]) {
  const env = { ...process.env, LEANCTX_ADMIN_TOKEN: SECRET, MY_API_KEY: 'key-for-one-server' };
  const dir = tempDir();
  const gateway = createGateway(parseServersConfig({ servers }, { baseDir: dir, env }), createSilentLogger());
  const server = createGatewayMcpServer(gateway, createSilentLogger());
  const [a, b] = InMemoryTransport.createLinkedPair();
  await server.connect(a);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(b);
  return {
    call: async (args: Record<string, unknown>) =>
      (await client.callTool({ name: 'invoke_command', arguments: args })) as CallToolResult,
    async close() {
      await client.close();
      await gateway.close();
    },
  };
}

describe('the environment of downstream servers', () => {
  test("a local server gets the SDK's allow-list and its own env, never the gateway's other variables", async () => {
    const gw = await gatewayWithSecret([
      { ...SERVERS.fixture(), env: { API_KEY: '${MY_API_KEY}', MODE: 'test' } },
    ]);
    try {
      const env = JSON.parse(textOf(await gw.call({ server: 'fixture', command: 'env' })));
      assert.equal(env.PATH, process.env.PATH);
      assert.equal(env.HOME, process.env.HOME);
      assert.equal(env.API_KEY, 'key-for-one-server');
      assert.equal(env.MODE, 'test');
      assert.equal(env.LEANCTX_ADMIN_TOKEN, undefined);
      assert.equal(env.MY_API_KEY, undefined);
      assert.ok(!JSON.stringify(env).includes(SECRET), 'the secret appears under no name');
    } finally {
      await gw.close();
    }
  });

  test('a real npm server started through npx -y still starts and answers with that environment', async () => {
    const gw = await gatewayWithSecret([
      {
        name: 'everything',
        description: 'MCP reference test server via npx',
        command: ['npx', '-y', '@modelcontextprotocol/server-everything', 'stdio'],
        cwd: REPO_ROOT,
      },
    ]);
    try {
      const echoed = await gw.call({ server: 'everything', command: 'echo', parameters: { message: 'hi' } });
      assert.equal(echoed.isError, undefined, textOf(echoed));
      assert.match(textOf(echoed), /hi/);
    } finally {
      await gw.close();
    }
  });
});
