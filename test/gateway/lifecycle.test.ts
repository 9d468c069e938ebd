import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  connectGateway,
  groupMembers,
  isAlive,
  SERVERS,
  tempDir,
  textOf,
  waitFor,
} from '../helpers/gateway-servers.ts';

describe('downstream lifecycle', () => {
  test('an idle server is stopped and the next call restarts it transparently', async () => {
    const gw = await connectGateway({ servers: [{ ...SERVERS.fixture(), idleTimeout: 300 }] });
    try {
      const upstream = gw.gateway.upstream('fixture');
      assert.equal(
        textOf(
          await gw.call('invoke_command', {
            server: 'fixture',
            command: 'echo',
            parameters: { text: 'one' },
          }),
        ),
        'echo: one',
      );
      const firstPid = upstream?.status().pid;
      assert.ok(firstPid);
      await waitFor(() => upstream?.status().running === false, 'the idle stop');
      await waitFor(
        () => groupMembers(firstPid).length === 0,
        'the stopped server to leave no process behind',
      );
      const listed = await gw.text('list_commands', { server: 'fixture' });
      assert.match(listed, /- echo: /, 'the cached list answers without a restart');
      assert.equal(upstream?.status().running, false);
      assert.equal(
        textOf(
          await gw.call('invoke_command', {
            server: 'fixture',
            command: 'echo',
            parameters: { text: 'two' },
          }),
        ),
        'echo: two',
      );
      const secondPid = upstream?.status().pid;
      assert.ok(secondPid && secondPid !== firstPid, 'a fresh process serves the call');
    } finally {
      await gw.close();
    }
  });

  test('a server that crashes mid-call is reported unhealthy with its stderr, then restarted', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()] });
    try {
      const crashed = await gw.call('invoke_command', { server: 'fixture', command: 'crash' });
      assert.equal(crashed.isError, true);
      assert.match(textOf(crashed), /closed the connection|exited unexpectedly/);
      assert.match(textOf(crashed), /boom: the test server crashed on purpose/);
      const listed = JSON.parse(await gw.text('list_servers'));
      assert.equal(listed.servers[0].health, 'unhealthy');
      assert.match(listed.servers[0].last_error, /boom/);
      const again = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'back' },
      });
      assert.equal(textOf(again), 'echo: back');
      assert.equal(JSON.parse(await gw.text('list_servers')).servers[0].health, 'healthy');
    } finally {
      await gw.close();
    }
  });

  test('a hanging call times out with advice, and the server stays usable', async () => {
    const gw = await connectGateway({
      servers: [{ ...SERVERS.fixture(), requestTimeout: 400, timeout: 10_000 }],
    });
    try {
      const hung = await gw.call('invoke_command', { server: 'fixture', command: 'hang' });
      assert.equal(hung.isError, true);
      assert.match(textOf(hung), /did not answer within 400 ms .*raise "requestTimeout"/);
      const next = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'ok' },
      });
      assert.equal(textOf(next), 'echo: ok');
    } finally {
      await gw.close();
    }
  });

  test('progress notifications reset the request timeout', async () => {
    // 8 steps of 150 ms = 1.2 s in total, far past the 500 ms timeout, but never silent for 500 ms.
    const gw = await connectGateway({
      servers: [{ ...SERVERS.fixture(), requestTimeout: 500, timeout: 10_000 }],
    });
    try {
      const result = await gw.call('invoke_command', {
        server: 'fixture',
        command: 'progress',
        parameters: { steps: 8 },
      });
      assert.equal(result.isError, undefined, textOf(result));
      assert.equal(textOf(result), 'done after 8 steps');
    } finally {
      await gw.close();
    }
  });

  test('initialize is bounded: a server that never answers is killed and reported', async () => {
    const gw = await connectGateway({ servers: [{ ...SERVERS.fixture('--no-init'), timeout: 500 }] });
    try {
      const result = await gw.call('list_commands', { server: 'fixture' });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /did not finish initialize within 500 ms/);
      assert.equal(gw.gateway.upstream('fixture')?.status().running, false);
    } finally {
      await gw.close();
    }
  });

  test('a command that cannot start names the command and its stderr', async () => {
    const gw = await connectGateway({
      servers: [
        { name: 'broken', description: 'missing binary', command: ['definitely-not-a-real-binary-xyz'] },
      ],
    });
    try {
      const result = await gw.call('list_commands', { server: 'broken' });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /could not start \(definitely-not-a-real-binary-xyz\)/);
      assert.match(textOf(result), /not found/);
    } finally {
      await gw.close();
    }
  });

  test('stopping a server kills its whole process group, grandchildren included', async () => {
    const gw = await connectGateway({ servers: [SERVERS.fixture()] });
    const upstream = gw.gateway.upstream('fixture');
    const grandchild = Number(
      textOf(await gw.call('invoke_command', { server: 'fixture', command: 'grandchild' })),
    );
    const pgid = upstream?.status().pid;
    assert.ok(pgid && isAlive(grandchild));
    assert.ok(groupMembers(pgid).includes(grandchild));
    await gw.close();
    await waitFor(() => !isAlive(grandchild), 'the grandchild to die');
    assert.deepEqual(groupMembers(pgid), []);
  });

  test('requestTimeout also bounds the handshake when no start-up timeout is set', async () => {
    const gw = await connectGateway({ servers: [{ ...SERVERS.fixture('--no-init'), requestTimeout: 400 }] });
    try {
      const result = await gw.call('list_commands', { server: 'fixture' });
      assert.equal(result.isError, true);
      assert.match(textOf(result), /did not finish initialize within 400 ms/);
    } finally {
      await gw.close();
    }
  });

  test('the awake health monitor probes servers that are not running: a broken one shows unhealthy before any call', async () => {
    const gw = await connectGateway({
      servers: [
        { name: 'broken', description: 'exits at once', command: ['node', '-e', 'process.exit(1)'] },
        SERVERS.fixture(),
      ],
      healthMonitor: { interval: 100 },
    });
    try {
      const health = async () =>
        Object.fromEntries(
          JSON.parse(await gw.text('list_servers')).servers.map((s: { name: string; health: string }) => [
            s.name,
            s.health,
          ]),
        );
      assert.deepEqual(await health(), { broken: 'unknown', fixture: 'unknown' });
      await waitFor(async () => {
        const now = await health();
        return now.broken === 'unhealthy' && gw.gateway.upstream('fixture')?.status().toolCount === 8;
      }, 'the monitor to probe both servers and fill the tool cache');
      const listed = JSON.parse(await gw.text('list_servers')).servers;
      assert.equal(listed[1].health, 'healthy');
      assert.match(listed[0].last_error, /could not start|closed/);
    } finally {
      await gw.close();
    }
  });

  test('a stateful server keeps its state when the health monitor sleeps: stopping idle servers is a separate setting', async () => {
    const gw = await connectGateway({
      servers: [{ ...SERVERS.memory, env: { MEMORY_FILE_PATH: `${tempDir()}/memory.jsonl` } }],
      healthMonitor: { interval: 50, idleTimeout: 100 },
    });
    try {
      const upstream = gw.gateway.upstream('memory');
      await gw.call('invoke_command', {
        server: 'memory',
        command: 'create_entities',
        parameters: { entities: [{ name: 'kept', entityType: 'test', observations: ['still here'] }] },
      });
      const pid = upstream?.status().pid;
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(upstream?.status().running, true, 'the monitor went to sleep, the server did not stop');
      assert.equal(upstream?.status().pid, pid);
    } finally {
      await gw.close();
    }
    const stopping = await connectGateway({ servers: [SERVERS.fixture()], idleTimeout: 200 });
    try {
      await stopping.call('invoke_command', {
        server: 'fixture',
        command: 'echo',
        parameters: { text: 'x' },
      });
      await waitFor(() => stopping.gateway.upstream('fixture')?.status().running === false, 'the idle stop');
    } finally {
      await stopping.close();
    }
  });
});
