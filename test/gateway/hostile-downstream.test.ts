import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import {
  connectGateway,
  connectLazyMcp,
  groupMembers,
  SERVERS,
  tempDir,
  textOf,
  waitFor,
  writeServersJson,
} from '../helpers/gateway-servers.ts';

describe('a hostile downstream server', () => {
  test('a reply line over 10 MiB is an error result for that call, the server is stopped and lazy-mcp keeps serving', async () => {
    const config = writeServersJson(tempDir(), { servers: [SERVERS.fixture()], logging: { level: 'error' } });
    const lazy = await connectLazyMcp(['--config', config]);
    const call = (args: Record<string, unknown>) =>
      lazy.call('invoke_command', { server: 'fixture', ...args });
    try {
      const huge = await call({ command: 'huge', parameters: { mib: 11 } });
      assert.equal(huge.isError, true);
      assert.match(textOf(huge), /more than 10485760 bytes/);
      assert.match(textOf(huge), /next call restarts it/);
      const listed = JSON.parse(textOf(await lazy.call('list_servers')));
      assert.equal(listed.servers[0].health, 'unhealthy');
      assert.equal(listed.servers[0].running, false);
      const again = await call({ command: 'echo', parameters: { text: 'still here' } });
      assert.equal(textOf(again), 'echo: still here');
    } finally {
      await lazy.close();
    }
  });

  test('the oversized server leaves no process behind, and a reply under the limit passes', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()] });
    try {
      const first = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'a' },
      });
      assert.equal(textOf(first), 'echo: a');
      const pgid = gw.gateway.upstream('fixture')?.status().pid;
      assert.ok(pgid);
      const huge = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'huge',
        parameters: { mib: 12 },
      });
      assert.equal(huge.isError, true);
      await waitFor(() => groupMembers(pgid).length === 0, 'the oversized server to be gone');
      const nine = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'huge',
        parameters: { mib: 9 },
      });
      assert.equal(nine.isError, undefined);
      assert.equal(textOf(nine).length, 9 * 1024 * 1024);
    } finally {
      await gw.close();
    }
  });

  test('a log sink that throws on downstream stderr does not take the gateway down', async () => {
    const broken = {
      ...createSilentLogger(),
      level: 'debug' as const,
      debug: (msg: string) => {
        if (msg === 'downstream stderr') throw new Error('the log sink is broken');
      },
    };
    const gw = await connectGateway({ servers: [SERVERS.fixture()] }, { logger: broken });
    try {
      const crashed = await gw.call('invoke_command', { server: 'fixture', command: 'crash' });
      assert.equal(crashed.isError, true);
      assert.match(textOf(crashed), /boom: the test server crashed on purpose/);
      const again = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'b' },
      });
      assert.equal(textOf(again), 'echo: b');
    } finally {
      await gw.close();
    }
  });
});
