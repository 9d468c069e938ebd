import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  connectGateway,
  type GatewayClient,
  groupMembers,
  SERVERS,
  textOf,
} from '../helpers/gateway-servers.ts';

describe('lazy-mcp meta-tools over real downstream servers', () => {
  let gw: GatewayClient;

  before(async () => {
    gw = await connectGateway({
      servers: [
        {
          ...SERVERS.everything,
          tags: ['test', 'demo'],
          examples: [{ command: 'echo', parameters: { message: 'hi' } }],
        },
        SERVERS.memory,
        { ...SERVERS.thinking, enabled: false },
      ],
    });
  });
  after(() => gw.close());

  test('tools/list shows exactly the four meta-tools', async () => {
    const { tools } = await gw.client.listTools();
    assert.deepEqual(
      tools.map((t) => t.name),
      ['list_servers', 'list_commands', 'describe_commands', 'invoke_command'],
    );
  });

  test('no downstream process runs before the first call that needs it', async () => {
    const listed = JSON.parse(await gw.text('list_servers'));
    assert.equal(listed.pid, process.pid);
    assert.ok(String(listed.config_file).endsWith('servers.json'));
    for (const s of listed.servers) assert.equal(s.running, false, `${s.name} should not be running`);
    assert.equal(gw.gateway.upstream('everything')?.status().pid, undefined);
    assert.deepEqual(
      listed.servers.map((s: { name: string; health: string }) => [s.name, s.health]),
      [
        ['everything', 'unknown'],
        ['memory', 'unknown'],
        ['thinking', 'disabled'],
      ],
    );
  });

  test('list_servers filters by tag', async () => {
    const listed = JSON.parse(await gw.text('list_servers', { tags: ['DEMO'] }));
    assert.deepEqual(
      listed.servers.map((s: { name: string }) => s.name),
      ['everything'],
    );
    assert.deepEqual(listed.servers[0].examples, [{ command: 'echo', parameters: { message: 'hi' } }]);
  });

  test('list_commands starts the server and lists commands in batch', async () => {
    const text = await gw.text('list_commands', { server: ['everything', 'memory'] });
    assert.match(text, /## everything \(\d+ commands\)/);
    assert.match(text, /- echo: /);
    assert.match(text, /## memory \(\d+ commands\)/);
    assert.match(text, /- create_entities: /);
    const status = gw.gateway.upstream('everything')?.status();
    assert.equal(status?.running, true);
    assert.equal(status?.health, 'healthy');
    assert.ok(
      status?.pid && groupMembers(status.pid).length >= 2,
      'the server runs in its own process group',
    );
  });

  test('describe_commands returns full input schemas', async () => {
    const described = JSON.parse(
      await gw.text('describe_commands', { server: 'everything', commands: ['echo'] }),
    );
    assert.equal(described[0].name, 'echo');
    assert.equal(described[0].inputSchema.type, 'object');
    assert.ok(described[0].inputSchema.properties.message);
  });

  test('invoke_command returns the downstream result unchanged', async () => {
    const result = await gw.call('invoke_command', {
      server: 'everything',
      command: 'get-structured-content',
      parameters: { location: 'New York' },
    });
    assert.equal(result.isError, undefined);
    assert.ok(result.structuredContent, 'structuredContent passes through');
  });

  test('parameters may arrive as a JSON string, or mis-nested at the top level', async () => {
    const asString = await gw.call('invoke_command', {
      server: 'everything',
      command: 'echo',
      parameters: '{"message":"from a string"}',
    });
    assert.equal(textOf(asString), 'Echo: from a string');
    const misNested = await gw.call('invoke_command', {
      server: 'everything',
      command: 'echo',
      message: 'top level',
    });
    assert.equal(textOf(misNested), 'Echo: top level');
    const bad = await gw.call('invoke_command', {
      server: 'everything',
      command: 'echo',
      parameters: 'not json',
    });
    assert.equal(bad.isError, true);
    assert.match(textOf(bad), /"parameters" must be a JSON object/);
  });

  test("the original's server_name and command_name are read as server and command", async () => {
    const invoked = await gw.call('invoke_command', {
      server_name: 'everything',
      command_name: 'echo',
      parameters: { message: 'by the old names' },
    });
    assert.equal(textOf(invoked), 'Echo: by the old names');
    const misNested = await gw.call('invoke_command', {
      server_name: 'everything',
      command_name: 'echo',
      message: 'old names, top level',
    });
    assert.equal(
      textOf(misNested),
      'Echo: old names, top level',
      'the aliases are not passed on as parameters',
    );
    assert.match(
      await gw.text('list_commands', { server_name: 'everything' }),
      /## everything \(\d+ commands\)/,
    );
    const described = JSON.parse(
      await gw.text('describe_commands', { server_name: 'everything', commands: ['echo'] }),
    );
    assert.equal(described[0].name, 'echo');
  });

  test('an unknown server or command is an error result listing the valid names', async () => {
    const server = await gw.call('invoke_command', { server: 'nope', command: 'echo' });
    assert.equal(server.isError, true);
    assert.match(textOf(server), /unknown server "nope"\. Valid servers: everything, memory, thinking/);
    const command = await gw.call('invoke_command', { server: 'everything', command: 'nope' });
    assert.equal(command.isError, true);
    assert.match(textOf(command), /unknown command "nope" on server "everything"\. Valid commands: .*echo/);
    const describe = await gw.call('describe_commands', { server: 'everything', commands: ['echo', 'zzz'] });
    assert.match(textOf(describe), /unknown command "zzz".*Valid commands: /);
  });

  test('a disabled server is refused with the reason', async () => {
    const result = await gw.call('list_commands', { server: 'thinking' });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /disabled \("enabled": false/);
  });

  test('progress from downstream is relayed to the client', async () => {
    const seen: number[] = [];
    const result = await gw.client.callTool(
      {
        name: 'invoke_command',
        arguments: {
          server: 'everything',
          command: 'trigger-long-running-operation',
          parameters: { duration: 0.6, steps: 3 },
        },
      },
      undefined,
      { onprogress: (p) => seen.push(p.progress) },
    );
    assert.match(textOf(result as never), /Long running operation completed/);
    assert.deepEqual(seen, [1, 2, 3]);
  });
});
