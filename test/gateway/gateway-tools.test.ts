import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Scope } from '../../src/auth/scopes.ts';
import { createGateway, type Gateway } from '../../src/gateway/gateway.ts';
import { createSilentLogger } from '../../src/gateway/logger.ts';
import type { CallToolResult, ToolContext } from '../../src/tools/define-tool.ts';
import { gatewayTools } from '../../src/tools/gateway/index.ts';
import { TEAM_RELOAD_MESSAGE } from '../../src/tools/gateway/list-servers.ts';
import { createToolRegistry } from '../../src/tools/registry.ts';
import { configOf, SERVERS, textOf } from '../helpers/gateway-servers.ts';

describe('gateway meta-tools for the team server', () => {
  let gateway: Gateway;
  const registry = () => createToolRegistry(gatewayTools);
  const call = (
    name: string,
    args: Record<string, unknown>,
    servers?: string[],
    signal = new AbortController().signal,
    scopes: Scope[] = ['gateway'],
  ) => {
    const reg = registry();
    const tool = reg.get(name);
    assert.ok(tool);
    const ctx = {
      gateway,
      downstreamServers: servers,
      signal,
      scopes: new Set(scopes),
    } as unknown as ToolContext;
    return reg.run(tool, args, ctx).then((outcome): CallToolResult => outcome.result);
  };

  before(() => {
    gateway = createGateway(
      configOf({ servers: [SERVERS.everything, SERVERS.fixture()] }),
      createSilentLogger(),
    );
  });
  after(() => gateway.close());

  test('the four tools are defined under the gateway scope', () => {
    const tools = gatewayTools;
    assert.deepEqual(
      tools.map((t) => [t.name, t.scope]),
      [
        ['list_servers', 'gateway'],
        ['list_commands', 'gateway'],
        ['describe_commands', 'gateway'],
        ['invoke_command', 'gateway'],
      ],
    );
  });

  test("a token's server globs hide and refuse the other servers", async () => {
    const listed = JSON.parse(textOf(await call('list_servers', {}, ['every*'])));
    assert.deepEqual(
      listed.servers.map((s: { name: string }) => s.name),
      ['everything'],
    );
    const refused = await call('invoke_command', { server: 'fixture', command: 'echo' }, ['every*']);
    assert.equal(refused.isError, true);
    assert.match(textOf(refused), /unknown server "fixture"\. Valid servers: everything\./);
    const allowed = await call(
      'invoke_command',
      { server: 'everything', command: 'echo', parameters: { message: 'team' } },
      ['every*'],
    );
    assert.equal(textOf(allowed), 'Echo: team');
    const all = JSON.parse(textOf(await call('list_servers', {}, undefined)));
    assert.equal(all.servers.length, 2, 'undefined globs = every server');
  });

  test('ctx.signal aborts the downstream call', async () => {
    const controller = new AbortController();
    const pending = call(
      'invoke_command',
      { server: 'fixture', command: 'hang' },
      undefined,
      controller.signal,
    );
    setTimeout(() => controller.abort(), 200);
    const result = await pending;
    assert.equal(result.isError, true);
    assert.match(textOf(result), /cancelled|abort/i);
    const next = await call('invoke_command', {
      server: 'fixture',
      command: 'echo',
      parameters: { text: 'still up' },
    });
    assert.equal(textOf(next), 'echo: still up');
  });

  test('pid and config_file are shown only to callers holding the audit scope', async () => {
    const member = JSON.parse(textOf(await call('list_servers', {})));
    assert.equal('pid' in member, false);
    assert.equal('config_file' in member, false);
    assert.equal(member.servers.length, 2);
    const auditor = JSON.parse(
      textOf(await call('list_servers', {}, undefined, undefined, ['gateway', 'audit'])),
    );
    assert.equal(auditor.pid, process.pid);
    assert.ok('config_file' in auditor);
  });

  test('list_servers {reload: true} explains that team.json reloads on change or SIGHUP', async () => {
    const result = await call('list_servers', { reload: true });
    assert.equal(result.isError, true);
    const body = JSON.parse(textOf(result));
    assert.deepEqual(body.reload, { ok: false, error: TEAM_RELOAD_MESSAGE });
    assert.match(body.reload.error, /team\.json .*changes, or on SIGHUP/);
    assert.equal(body.servers.length, 2, 'the listing still comes with it');
  });
});
