import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GlobalPermissions, ServerPermissions } from '../../src/config/servers-config.ts';
import { compileGlob } from '../../src/gateway/glob.ts';
import { decidePermission } from '../../src/gateway/permissions.ts';
import { connectGateway, SERVERS, textOf } from '../helpers/gateway-servers.ts';

const server = (permissions?: ServerPermissions) => ({ name: 'gitlab', permissions });
const global = (g: Partial<GlobalPermissions>): GlobalPermissions => ({ rules: [], ...g });

describe('permission resolution (seed 002)', () => {
  test('glob syntax: * any run, ? one character, everything else literal, case-insensitive', () => {
    assert.ok(compileGlob('delete_*').test('DELETE_project'));
    assert.ok(compileGlob('get_?').test('get_x'));
    assert.ok(!compileGlob('get_?').test('get_xy'));
    assert.ok(compileGlob('a.b[1]').test('a.b[1]'));
    assert.ok(!compileGlob('a.b').test('axb'));
    assert.ok(compileGlob('*').test(''));
  });

  // Each row: per-server block, global block, command → expected action and deciding level.
  const matrix: [
    string,
    ServerPermissions | undefined,
    GlobalPermissions | undefined,
    string,
    string,
    string,
  ][] = [
    ['nothing configured → implicit allow', undefined, undefined, 'x', 'allow', 'implicit'],
    [
      'server rule beats global rule',
      { rules: [{ pattern: 'get_*', action: 'allow' }] },
      global({ rules: [{ server: '*', pattern: '*', action: 'deny' }] }),
      'get_a',
      'allow',
      'server-rule',
    ],
    [
      'server rule beats server default',
      { default: 'deny', rules: [{ pattern: 'list_*', action: 'allow' }] },
      undefined,
      'list_a',
      'allow',
      'server-rule',
    ],
    [
      'last matching rule within a level wins',
      {
        rules: [
          { pattern: '*', action: 'deny' },
          { pattern: 'get_*', action: 'allow' },
        ],
      },
      undefined,
      'get_a',
      'allow',
      'server-rule',
    ],
    [
      '… in either order',
      {
        rules: [
          { pattern: 'get_*', action: 'allow' },
          { pattern: '*', action: 'deny' },
        ],
      },
      undefined,
      'get_a',
      'deny',
      'server-rule',
    ],
    [
      'global rule beats server default',
      { default: 'allow', rules: [] },
      global({ rules: [{ server: '*', pattern: '*delete*', action: 'deny' }] }),
      'bulk_delete',
      'deny',
      'global-rule',
    ],
    [
      'global rule gated by its server glob',
      undefined,
      global({ rules: [{ server: 'github', pattern: '*', action: 'deny' }] }),
      'x',
      'allow',
      'implicit',
    ],
    [
      'global server glob matches case-insensitively',
      undefined,
      global({ rules: [{ server: 'GIT*', pattern: '*', action: 'deny' }] }),
      'x',
      'deny',
      'global-rule',
    ],
    [
      'server default beats global default',
      { default: 'allow', rules: [] },
      global({ default: 'deny' }),
      'x',
      'allow',
      'server-default',
    ],
    ['global default applies last', undefined, global({ default: 'deny' }), 'x', 'deny', 'global-default'],
    [
      'read-only preset allows discovery',
      undefined,
      global({
        default: 'deny',
        rules: [
          { server: '*', pattern: 'list_*', action: 'allow' },
          { server: '*', pattern: 'get_*', action: 'allow' },
          { server: '*', pattern: 'search_*', action: 'allow' },
        ],
      }),
      'search_code',
      'allow',
      'global-rule',
    ],
    [
      'read-only preset denies the rest',
      undefined,
      global({ default: 'deny', rules: [{ server: '*', pattern: 'list_*', action: 'allow' }] }),
      'create_issue',
      'deny',
      'global-default',
    ],
  ];
  for (const [name, own, shared, command, action, level] of matrix) {
    test(name, () => {
      const decision = decidePermission(server(own), shared, command);
      assert.equal(decision.action, action);
      assert.equal(decision.level, level);
    });
  }
});

describe('permissions through the gateway', () => {
  test('a denied call never reaches the server and carries the error contract; denied commands are hidden', async () => {
    const gw = await connectGateway({
      servers: [
        {
          ...SERVERS.fixture(),
          permissions: {
            rules: [
              { pattern: 'delete_*', action: 'deny', message: 'Destructive calls are blocked by policy.' },
            ],
          },
        },
      ],
      permissions: { rules: [{ server: '*', pattern: 'crash', action: 'deny' }] },
    });
    try {
      const blocked = await gw.call('invoke_command', { server: 'fixture', command: 'delete_everything' });
      assert.equal(blocked.isError, true);
      assert.deepEqual(blocked._meta, { lazyMcpPolicy: 'blocked' });
      assert.match(
        textOf(blocked),
        /^🚫 Blocked by lazy-mcp policy: Tool 'fixture:delete_everything' is blocked by lazy-mcp policy\n\nDetails: Destructive calls are blocked by policy\.\n\nTo allow this, remove the matching deny rule .*servers\.json\) and reload with: kill -HUP \d+/,
      );
      assert.equal(
        gw.gateway.upstream('fixture')?.status().running,
        false,
        'the blocked call started nothing',
      );
      const crash = await gw.call('invoke_command', { server: 'fixture', command: 'crash' });
      assert.deepEqual(crash._meta, { lazyMcpPolicy: 'blocked' });
      const listed = await gw.text('list_commands', { server: 'fixture' });
      assert.doesNotMatch(listed, /delete_everything|crash/);
      assert.match(listed, /- echo: /);
    } finally {
      await gw.close();
    }
  });

  test('a server with an invalid permissions block is config_error and refused; the others run', async () => {
    const gw = await connectGateway({
      servers: [
        { ...SERVERS.fixture(), permissions: { rules: [{ pattern: '*', action: 'ask' }] } },
        SERVERS.everything,
      ],
      permissions: { default: 'sometimes' },
    });
    try {
      const listed = JSON.parse(await gw.text('list_servers'));
      assert.equal(listed.servers[0].health, 'config_error');
      assert.match(listed.servers[0].last_error, /invalid permissions/);
      const refused = await gw.call('invoke_command', { server: 'fixture', command: 'echo' });
      assert.match(textOf(refused), /has a configuration error: invalid permissions/);
      const ok = await gw.call('invoke_command', {
        server: 'everything',
        command: 'echo',
        parameters: { message: 'fine' },
      });
      assert.equal(textOf(ok), 'Echo: fine', 'the dropped global block does not stop the rest');
    } finally {
      await gw.close();
    }
  });
});
