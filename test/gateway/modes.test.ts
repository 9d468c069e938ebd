import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { isSafeToolName, namespacedToolName } from '../../src/gateway/tool-names.ts';
import { connectGateway, SERVERS, textOf, waitFor } from '../helpers/gateway-servers.ts';

describe('tool names', () => {
  test('namespaced names are safe, stable and hash-suffixed only when needed', () => {
    assert.equal(namespacedToolName('fs', 'read_file'), 'fs__read_file');
    const dotted = namespacedToolName('my.server', 'get item');
    assert.ok(isSafeToolName(dotted), dotted);
    assert.equal(dotted, namespacedToolName('my.server', 'get item'), 'stable');
    assert.notEqual(
      dotted,
      namespacedToolName('my_server', 'get_item'),
      'no collision with the cleaned spelling',
    );
    const long = namespacedToolName(
      'a-very-long-server-name-for-testing',
      'and-an-equally-long-tool-name-here',
    );
    assert.equal(long.length, 64);
    assert.ok(isSafeToolName(long));
  });
});

describe('modes', () => {
  test('direct lists every downstream tool namespaced and calls it', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()], mode: 'direct' });
    try {
      const { tools } = await gw.client.listTools();
      assert.ok(tools.some((t) => t.name === 'fixture__echo'));
      assert.ok(!tools.some((t) => t.name === 'invoke_command'));
      const result = await gw.call('fixture__echo', { text: 'direct' });
      assert.equal(textOf(result), 'echo: direct');
    } finally {
      await gw.close();
    }
  });

  test('auto goes direct for a small catalogue and lazy for a large one', async () => {
    const small = await connectGateway({ servers: [SERVERS.fixture()], mode: 'auto' });
    const large = await connectGateway({
      servers: [SERVERS.fixture(), SERVERS.everything],
      mode: 'auto',
      directToolLimit: 10,
    });
    try {
      const smallTools = (await small.client.listTools()).tools.map((t) => t.name);
      assert.ok(smallTools.includes('fixture__echo') && !smallTools.includes('list_servers'));
      const largeTools = (await large.client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(largeTools, ['list_servers', 'list_commands', 'describe_commands', 'invoke_command']);
    } finally {
      await small.close();
      await large.close();
    }
  });

  test('promote lists chosen tools directly and announces tools/list_changed', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()] });
    let changed = 0;
    gw.client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
      changed++;
    });
    try {
      await gw.call('describe_commands', { server: 'fixture', commands: ['echo'], promote: true });
      await waitFor(() => changed > 0, 'tools/list_changed');
      const names = (await gw.client.listTools()).tools.map((t) => t.name);
      assert.deepEqual(names, [
        'list_servers',
        'list_commands',
        'describe_commands',
        'invoke_command',
        'fixture__echo',
      ]);
      assert.equal(textOf(await gw.call('fixture__echo', { text: 'promoted' })), 'echo: promoted');
    } finally {
      await gw.close();
    }
  });

  test('embedServerSummaries puts server names in the list_servers description', async () => {
    const gw = await connectGateway({
      servers: [SERVERS.fixture(), SERVERS.everything, SERVERS.memory],
      embedServerSummaries: { enabled: true, maxServers: 2 },
    });
    try {
      const listServers = (await gw.client.listTools()).tools.find((t) => t.name === 'list_servers');
      assert.match(listServers?.description ?? '', /- fixture: Gateway test server/);
      assert.match(listServers?.description ?? '', /- everything: /);
      assert.doesNotMatch(listServers?.description ?? '', /- memory: /);
    } finally {
      await gw.close();
    }
  });
});
