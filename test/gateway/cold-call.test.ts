import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectGateway, SERVERS, textOf, waitFor } from '../helpers/gateway-servers.ts';

describe('the first invoke_command of a stopped server', () => {
  test('calls right after initialize and fills the tool cache behind the answer', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()] });
    try {
      const upstream = gw.gateway.upstream('fixture');
      assert.equal(upstream?.cachedTools(), undefined);
      const result = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'cold' },
      });
      assert.equal(textOf(result), 'echo: cold');
      await waitFor(() => upstream?.cachedTools() !== undefined, 'the tool list fetched behind the answer');
      assert.ok(upstream?.cachedTools()?.some((t) => t.name === 'echo'));
    } finally {
      await gw.close();
    }
  });

  test('an unknown command still gets the list of valid commands', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()] });
    try {
      const result = await gw.call('invoke_command', { server: 'fixture', command: 'nope' });
      assert.equal(result.isError, true);
      assert.match(
        textOf(result),
        /unknown command "nope" on server "fixture"\. Valid commands: echo, hang, /,
      );
    } finally {
      await gw.close();
    }
  });

  test("a known command that fails keeps the server's own error result", async () => {
    const gw = await connectGateway({ servers: [SERVERS.everything] });
    try {
      const result = await gw.call('invoke_command', {
        server: 'everything',
        command: 'get-sum',
        parameters: { a: 'one', b: 2 },
      });
      assert.equal(result.isError, true);
      assert.doesNotMatch(textOf(result), /unknown command/);
      assert.match(textOf(result), /Invalid arguments for tool get-sum/);
    } finally {
      await gw.close();
    }
  });
});
