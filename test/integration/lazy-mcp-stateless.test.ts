import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { createGateway } from '../../src/gateway/gateway.ts';
import { listenGatewayHttp } from '../../src/gateway/http-front.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import { configOf, SERVERS } from '../helpers/gateway-servers.ts';

const run = promisify(execFile);

test("lazy-mcp answers the seed's curl tools/list and a tools/call without initialize", async () => {
  const token = 'my-secret';
  const config = configOf({
    servers: [SERVERS.everything],
    transport: { type: 'http', port: 0, authToken: token },
  });
  const gateway = createGateway(config, createSilentLogger());
  const http = await listenGatewayHttp(gateway, createSilentLogger(), config.transport);
  const curl = async (body: string) => {
    const { stdout } = await run('curl', [
      '-s',
      '-X',
      'POST',
      http.url,
      '-H',
      'Content-Type: application/json',
      '-H',
      'Accept: application/json, text/event-stream',
      '-H',
      `Authorization: Bearer ${token}`,
      '-d',
      body,
    ]);
    return JSON.parse(stdout) as { id: number; result?: Record<string, unknown>; error?: unknown };
  };
  try {
    const listed = await curl('{"jsonrpc":"2.0","id":1,"method":"tools/list"}');
    assert.equal(listed.id, 1);
    const names = ((listed.result?.tools ?? []) as { name: string }[]).map((t) => t.name);
    assert.deepEqual(names.sort(), ['describe_commands', 'invoke_command', 'list_commands', 'list_servers']);
    const called = await curl(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 2,
        method: 'tools/call',
        params: {
          name: 'invoke_command',
          arguments: { server: 'everything', command: 'echo', parameters: { message: 'stateless' } },
        },
      }),
    );
    assert.deepEqual(called.result?.content, [{ type: 'text', text: 'Echo: stateless' }]);
  } finally {
    await http.close();
    await gateway.close();
  }
});
