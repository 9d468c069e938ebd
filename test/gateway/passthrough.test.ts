import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import {
  LoggingMessageNotificationSchema,
  type ResourceUpdatedNotification,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { templatePattern } from '../../src/gateway/resource-routes.ts';
import {
  connectGateway,
  EVERYTHING_BIN,
  type GatewayClient,
  SERVERS,
  waitFor,
} from '../helpers/gateway-servers.ts';

describe('direct mode forwards resources, prompts, completion and logging', () => {
  let gw: GatewayClient;
  let own: Client;

  before(async () => {
    gw = await connectGateway({ servers: [SERVERS.everything], mode: 'direct' });
    own = new Client({ name: 'test', version: '1.0.0' });
    await own.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [EVERYTHING_BIN, 'stdio'],
        stderr: 'ignore',
      }),
    );
  });
  after(async () => {
    await own.close();
    await gw.close();
  });

  test('capabilities declare what is forwarded', () => {
    const caps = gw.client.getServerCapabilities();
    assert.deepEqual(caps?.resources, { subscribe: true, listChanged: true });
    assert.deepEqual(caps?.prompts, { listChanged: true });
    assert.ok(caps?.logging && caps.completions);
  });

  test('resources and templates are listed exactly as the server lists them, URIs unchanged', async () => {
    const all = async (c: Client) => {
      const out = [];
      let cursor: string | undefined;
      do {
        const page = await c.listResources(cursor ? { cursor } : {});
        out.push(...page.resources);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    };
    const through = await all(gw.client);
    assert.ok(through.length > 0);
    assert.deepEqual(through, await all(own));
    assert.deepEqual(
      (await gw.client.listResourceTemplates()).resourceTemplates,
      (await own.listResourceTemplates()).resourceTemplates,
    );
  });

  test('a listed resource and a templated one read the same as directly', async () => {
    const first = (await gw.client.listResources()).resources[0];
    assert.ok(first);
    assert.deepEqual(
      await gw.client.readResource({ uri: first.uri }),
      await own.readResource({ uri: first.uri }),
    );
    const templated = 'demo://resource/dynamic/text/7';
    assert.deepEqual(
      await gw.client.readResource({ uri: templated }),
      await own.readResource({ uri: templated }),
    );
  });

  test('an unknown resource fails with the downstream error code and message', async () => {
    const direct = await own.readResource({ uri: 'test://nope' }).catch((e: Error & { code: number }) => e);
    const through = await gw.client
      .readResource({ uri: 'test://nope' })
      .catch((e: Error & { code: number }) => e);
    assert.ok(direct instanceof Error && through instanceof Error);
    assert.equal(through.code, direct.code);
    assert.equal(through.message, direct.message);
  });

  test('prompts are namespaced like tools and get forwarded with their arguments', async () => {
    const names = (await gw.client.listPrompts()).prompts.map((p) => p.name);
    const ownNames = (await own.listPrompts()).prompts.map((p) => `everything__${p.name}`);
    assert.deepEqual(names, ownNames);
    const args = { city: 'Lisbon', state: 'PT' };
    const through = await gw.client.getPrompt({ name: 'everything__args-prompt', arguments: args });
    assert.deepEqual(through, await own.getPrompt({ name: 'args-prompt', arguments: args }));
    await assert.rejects(gw.client.getPrompt({ name: 'args-prompt' }), /Unknown prompt "args-prompt"/);
  });

  test('completion reaches the prompt and the resource template behind the names', async () => {
    const prompt = await gw.client.complete({
      ref: { type: 'ref/prompt', name: 'everything__completable-prompt' },
      argument: { name: 'department', value: 'E' },
    });
    assert.deepEqual(prompt.completion.values, ['Engineering']);
    await gw.client.listResourceTemplates();
    const template = 'demo://resource/dynamic/text/{resourceId}';
    const resource = await gw.client.complete({
      ref: { type: 'ref/resource', uri: template },
      argument: { name: 'resourceId', value: '1' },
    });
    const direct = await own.complete({
      ref: { type: 'ref/resource', uri: template },
      argument: { name: 'resourceId', value: '1' },
    });
    assert.deepEqual(resource, direct);
  });

  test('log messages and resource updates are relayed, and renewed after a restart', async () => {
    const logs: string[] = [];
    const updates: ResourceUpdatedNotification['params'][] = [];
    gw.client.setNotificationHandler(LoggingMessageNotificationSchema, async (n) => {
      logs.push(`${n.params.level} ${n.params.logger} ${String(n.params.data)}`);
    });
    gw.client.setNotificationHandler(ResourceUpdatedNotificationSchema, async (n) => {
      updates.push(n.params);
    });
    const uri = 'demo://resource/dynamic/text/1';
    await gw.client.setLoggingLevel('error');
    await gw.client.subscribeResource({ uri });
    assert.equal(logs.length, 0, 'the info-level acknowledgement is below "error"');
    await gw.client.unsubscribeResource({ uri });

    await gw.client.setLoggingLevel('debug');
    await gw.client.subscribeResource({ uri });
    await waitFor(
      () => logs.some((l) => l.includes(`Received Subscribe Resource request for URI: ${uri}`)),
      'log',
    );
    assert.match(logs[0] ?? '', /^info everything /, 'the server name stands in for a missing logger');

    await gw.call('everything__toggle-subscriber-updates');
    await waitFor(() => updates.length > 0, 'resources/updated');
    assert.deepEqual(updates[0], { uri });

    // A restarted server has forgotten the subscription; the gateway renews it.
    await gw.gateway.upstream('everything')?.stop();
    updates.length = 0;
    await gw.call('everything__toggle-subscriber-updates');
    await waitFor(() => updates.length > 0, 'resources/updated after a restart');
    await gw.client.unsubscribeResource({ uri });
  });
});

describe('passthrough with several servers and in lazy mode', () => {
  test('two servers: prompts stay apart by prefix, resources route to the server that listed them', async () => {
    const gw = await connectGateway({
      servers: [
        { ...SERVERS.everything, name: 'a' },
        { ...SERVERS.everything, name: 'b' },
      ],
      mode: 'direct',
    });
    try {
      const names = (await gw.client.listPrompts()).prompts.map((p) => p.name);
      assert.ok(names.includes('a__simple-prompt') && names.includes('b__simple-prompt'));
      const simple = await gw.client.getPrompt({ name: 'b__simple-prompt' });
      assert.ok(simple.messages.length > 0);
      const first = (await gw.client.listResources()).resources[0];
      assert.ok(first);
      const read = await gw.client.readResource({ uri: first.uri });
      assert.equal(read.contents[0]?.uri, first.uri);
    } finally {
      await gw.close();
    }
  });

  test('lazy mode keeps its small surface: no resources, prompts or logging declared', async () => {
    const gw = await connectGateway({ servers: [SERVERS.everything] });
    try {
      const caps = gw.client.getServerCapabilities();
      assert.equal(caps?.resources, undefined);
      assert.equal(caps?.prompts, undefined);
      assert.equal(caps?.logging, undefined);
      assert.equal(gw.gateway.upstream('everything')?.status().running, false, 'nothing started');
    } finally {
      await gw.close();
    }
  });

  test('URI templates match the URIs they describe and nothing else', () => {
    assert.ok(templatePattern('demo://resource/dynamic/text/{id}').test('demo://resource/dynamic/text/12'));
    assert.ok(!templatePattern('demo://resource/dynamic/text/{id}').test('demo://resource/dynamic/text/1/2'));
    assert.ok(templatePattern('file:///{+path}').test('file:///a/b/c.txt'));
    assert.ok(templatePattern('search://q{?term,limit}').test('search://q?term=x&limit=2'));
    assert.ok(!templatePattern('a.b://{x}').test('aXb://y'));
  });
});
