import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ConfigError,
  loadServersConfig,
  parseServersBlock,
  parseServersConfig,
  resolveServersConfigPath,
} from '../../src/config/servers-config.ts';
import { tempDir } from '../helpers/gateway-servers.ts';

const local = { name: 'a', description: 'A', command: ['node', 'a.js'] };
const parse = (body: unknown, env: Record<string, string> = {}, overrides = {}) =>
  parseServersConfig(body, { baseDir: '/tmp', path: '/tmp/x/servers.json', env, overrides });

describe('servers.json', () => {
  test('both command formats give the same argv; type is inferred', () => {
    const cfg = parse({
      servers: [
        { name: 'arr', description: 'x', command: ['npx', '-y', 'pkg'] },
        { name: 'str', description: 'x', command: 'npx', args: ['-y', 'pkg'] },
        { name: 'remote', description: 'x', url: 'https://example.com/mcp' },
      ],
    });
    assert.deepEqual(cfg.servers[0]?.command, ['npx', '-y', 'pkg']);
    assert.deepEqual(cfg.servers[1]?.command, ['npx', '-y', 'pkg']);
    assert.equal(cfg.servers[0]?.type, 'local');
    assert.equal(cfg.servers[2]?.type, 'remote');
  });

  test('defaults follow the seed', () => {
    const cfg = parse({ servers: [local] });
    assert.equal(cfg.requestTimeoutMs, 10_000);
    assert.deepEqual(cfg.healthMonitor, {
      enabled: true,
      interval: 30_000,
      timeout: 10_000,
      idleTimeout: 300_000,
    });
    assert.deepEqual(
      { ...cfg.transport },
      {
        type: 'stdio',
        port: 8080,
        host: '127.0.0.1',
        path: '/mcp',
        authToken: undefined,
        allowedOrigins: [],
        allowedHosts: [],
        maxPayloadSize: 4_194_304,
        sessionIdleTimeoutMs: 1_800_000,
        maxSessions: 100,
      },
    );
    assert.equal(cfg.logging.level, 'info');
    assert.equal(cfg.logging.format, 'json');
    assert.equal(cfg.mode, 'lazy');
    assert.equal(cfg.servers[0]?.idleTimeoutMs, 0, 'downstream servers are not stopped when idle');
    assert.equal(cfg.servers[0]?.startTimeoutMs, 10_000);
  });

  test('precedence: CLI flags > config file > LAZY_MCP_* environment > defaults', () => {
    const env = {
      LAZY_MCP_PORT: '7001',
      LAZY_MCP_HOST: '0.0.0.0',
      LAZY_MCP_REQUEST_TIMEOUT: '1234',
      LAZY_MCP_TRANSPORT: 'http',
    };
    const fromEnv = parse({ servers: [local] }, env);
    assert.equal(fromEnv.transport.port, 7001);
    assert.equal(fromEnv.transport.type, 'http');
    assert.equal(fromEnv.requestTimeoutMs, 1234);
    const fromFile = parse({ servers: [local], transport: { port: 7002 }, requestTimeout: 2000 }, env);
    assert.equal(fromFile.transport.port, 7002);
    assert.equal(fromFile.transport.host, '0.0.0.0');
    assert.equal(fromFile.requestTimeoutMs, 2000);
    const fromCli = parse({ servers: [local], transport: { port: 7002 } }, env, {
      port: 7003,
      requestTimeout: 3000,
    });
    assert.equal(fromCli.transport.port, 7003);
    assert.equal(fromCli.requestTimeoutMs, 3000);
    assert.throws(
      () => parse({ servers: [local] }, { LAZY_MCP_PORT: 'eighty' }),
      /LAZY_MCP_PORT: "eighty" is not a whole number/,
    );
  });

  test('the default location honours --config, LAZY_MCP_CONFIG and XDG_CONFIG_HOME', () => {
    assert.equal(resolveServersConfigPath('/a/s.json', { LAZY_MCP_CONFIG: '/b/s.json' }), '/a/s.json');
    assert.equal(resolveServersConfigPath(undefined, { LAZY_MCP_CONFIG: '/b/s.json' }), '/b/s.json');
    assert.equal(
      resolveServersConfigPath(undefined, { XDG_CONFIG_HOME: '/xdg', HOME: '/h' }),
      '/xdg/lazy-mcp/servers.json',
    );
    assert.equal(resolveServersConfigPath(undefined, { HOME: '/h' }), '/h/.config/lazy-mcp/servers.json');
  });

  test('${VAR} and {file:…} expand in env, headers and transport.authToken', () => {
    const dir = tempDir();
    const secret = join(dir, 'token');
    writeFileSync(secret, 's3cret\n');
    chmodSync(secret, 0o600);
    const cfg = parse(
      {
        servers: [
          {
            ...local,
            env: {
              KEY: '${MY_KEY}',
              FILE: `{file:${secret}}`,
              BOTH: `\${MY_KEY}-{file:${secret}}`,
              REL: '{file:rel/path}',
            },
          },
          {
            name: 'r',
            description: 'r',
            url: 'https://x.test/mcp',
            headers: { Authorization: `Bearer {file:${secret}}` },
          },
        ],
        transport: { authToken: '${MY_KEY}' },
      },
      { MY_KEY: 'k1' },
    );
    assert.deepEqual(cfg.servers[0]?.env, {
      KEY: 'k1',
      FILE: 's3cret',
      BOTH: 'k1-s3cret',
      REL: '{file:rel/path}',
    });
    assert.deepEqual(cfg.servers[1]?.headers, { Authorization: 'Bearer s3cret' });
    assert.equal(cfg.transport.authToken, 'k1');
  });

  test('${VAR} inside a {file:…} path is not expanded', () => {
    assert.throws(
      () => parse({ servers: [{ ...local, env: { X: '{file:/${HOME}/nope}' } }] }, { HOME: '/root' }),
      (err: Error) =>
        err.message.includes("Cannot read secret file '/${HOME}/nope' (from {file:/${HOME}/nope})"),
    );
  });

  test('a missing secret file stops start-up with the exact message', () => {
    assert.throws(
      () => parse({ servers: [{ ...local, env: { T: '{file:/run/secrets/definitely-missing}' } }] }),
      (err: Error) =>
        err instanceof ConfigError &&
        err.message.includes(
          "Cannot read secret file '/run/secrets/definitely-missing' (from {file:/run/secrets/definitely-missing}): ENOENT: no such file or directory",
        ),
    );
  });

  test('an unset ${VAR} marks only that server config_error; in authToken it stops start-up', () => {
    const cfg = parse({
      servers: [
        { ...local, env: { K: '${NOT_SET_ANYWHERE}' } },
        { ...local, name: 'b' },
      ],
    });
    assert.match(cfg.servers[0]?.configError ?? '', /NOT_SET_ANYWHERE is not set/);
    assert.equal(cfg.servers[1]?.configError, undefined);
    assert.throws(
      () => parse({ servers: [local], transport: { authToken: '${NOT_SET_ANYWHERE}' } }),
      /transport.authToken/,
    );
  });

  test('bad fields are named with their path and a fix', () => {
    assert.throws(
      () => parse({ servers: [{ name: 'x', description: 'd' }, { ...local, colour: 'red' }, local, local] }),
      (err: Error) =>
        /servers\[0\] \(x\)\.command: a local server needs a command/.test(err.message) &&
        /servers\[1\]: unknown key "colour"/.test(err.message) &&
        /servers\[3\]\.name: duplicate server name "a"/.test(err.message),
    );
    assert.throws(() => parse({}), /servers is required/);
  });

  test('soft-fail: a bad per-server permissions block marks that server config_error', () => {
    const cfg = parse({
      servers: [
        { ...local, permissions: { rules: [{ pattern: 'x', action: 'ask' }] } },
        { ...local, name: 'b' },
      ],
    });
    assert.match(
      cfg.servers[0]?.configError ?? '',
      /invalid permissions: permissions.rules\[0\].action: use "allow" or "deny"/,
    );
    assert.equal(cfg.servers[1]?.configError, undefined);
  });

  test('soft-fail: a bad global permissions block is dropped with a warning', () => {
    const cfg = parse({ servers: [local], permissions: { default: 'maybe' } });
    assert.equal(cfg.permissions, undefined);
    assert.match(cfg.warnings[0] ?? '', /ignoring the global permissions block/);
  });

  test('parseServersBlock accepts a path, a list or a whole object (team.json)', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'servers.json'), JSON.stringify({ servers: [local] }));
    assert.equal(parseServersBlock('servers.json', dir).servers[0]?.name, 'a');
    assert.equal(parseServersBlock([local], dir).servers[0]?.name, 'a');
    assert.equal(parseServersBlock({ servers: [local], requestTimeout: 5 }, dir).requestTimeoutMs, 5);
  });

  test('OAuth state lives in the XDG directory, also when --config points elsewhere', () => {
    const fromXdg = parseServersConfig(
      { servers: [local] },
      {
        baseDir: '/elsewhere',
        path: '/elsewhere/servers.json',
        env: { XDG_CONFIG_HOME: '/xdg', HOME: '/h' },
      },
    );
    assert.equal(fromXdg.stateDir, '/xdg/lazy-mcp');
    assert.equal(parse({ servers: [local] }, { HOME: '/h' }).stateDir, '/h/.config/lazy-mcp');
  });

  test('${VAR} and {file:…} expand in command, args, cwd and url too', () => {
    const cfg = parse(
      {
        servers: [
          { name: 'arr', description: 'x', command: ['${RUNTIME}', '${SCRIPTS}/server.js'], cwd: '${WORK}' },
          { name: 'str', description: 'x', command: '${RUNTIME}', args: ['--port', '${PORT}'] },
          { name: 'remote', description: 'x', url: 'https://${API_HOST}/mcp' },
        ],
      },
      { RUNTIME: 'node', SCRIPTS: '/opt/s', WORK: '/srv/work', PORT: '8123', API_HOST: 'mcp.example.com' },
    );
    assert.deepEqual(cfg.servers[0]?.command, ['node', '/opt/s/server.js']);
    assert.equal(cfg.servers[0]?.cwd, '/srv/work');
    assert.deepEqual(cfg.servers[1]?.command, ['node', '--port', '8123']);
    assert.equal(cfg.servers[2]?.url, 'https://mcp.example.com/mcp');
    const unset = parse({ servers: [{ ...local, command: ['${NOT_SET_ANYWHERE}'] }] });
    assert.match(unset.servers[0]?.configError ?? '', /NOT_SET_ANYWHERE is not set/);
  });

  test('a url that is not http(s) is refused with the field named', () => {
    for (const url of ['ftp://files.example.com/mcp', 'file:///etc/passwd', 'not a url']) {
      assert.throws(
        () => parse({ servers: [{ name: 'r', description: 'r', url }] }),
        (err: Error) =>
          err instanceof ConfigError &&
          /servers\[0\] \(r\)\.url: ".*" is not (an http\(s\) URL|a URL)/.test(err.message),
        url,
      );
    }
  });

  test('an mcpServers map (Claude Desktop, Cursor) and its disabled/autoApprove/type keys load with warnings', () => {
    const cfg = parse({
      mcpServers: {
        files: {
          command: 'npx',
          args: ['-y', 'some-fs-server'],
          env: { A: 'b' },
          autoApprove: ['read_file'],
        },
        old: { command: 'node', args: ['old.js'], disabled: true },
        remote: { type: 'sse', url: 'https://example.com/sse', headers: { 'X-Key': 'k' } },
        local: { type: 'stdio', command: 'uvx', args: ['some-py-server'], description: 'Python tools' },
      },
    });
    assert.deepEqual(
      cfg.servers.map((s) => [s.name, s.type, s.enabled, s.description]),
      [
        ['files', 'local', true, 'files'],
        ['old', 'local', false, 'old'],
        ['remote', 'remote', true, 'remote'],
        ['local', 'local', true, 'Python tools'],
      ],
    );
    assert.deepEqual(cfg.servers[0]?.command, ['npx', '-y', 'some-fs-server']);
    const warnings = cfg.warnings.join('\n');
    assert.match(warnings, /mcpServers\.files\.autoApprove: ignored/);
    assert.match(warnings, /mcpServers\.old\.disabled: read as "enabled": false/);
    assert.match(warnings, /mcpServers\.remote\.type: "sse" read as "remote"/);
    assert.match(warnings, /no "description" for "files", "old", "remote"/);
    assert.throws(
      () => parse({ mcpServers: { x: { command: 'a', colour: 'red' } } }),
      /mcpServers\.x: unknown key "colour"/,
    );
  });

  test('a VS Code style servers map and a servers list with foreign keys load too', () => {
    const cfg = parse({
      servers: { git: { type: 'stdio', command: 'uvx', args: ['mcp-server-git'] } },
    });
    assert.equal(cfg.servers[0]?.name, 'git');
    const list = parse({ servers: [{ ...local, disabled: false, alwaysAllow: ['x'] }] });
    assert.equal(list.servers[0]?.enabled, true);
    assert.match(list.warnings.join('\n'), /servers\[0\]\.alwaysAllow: ignored/);
  });

  test('servers.json may carry comments and trailing commas (JSONC)', () => {
    const dir = tempDir();
    const path = join(dir, 'servers.json');
    writeFileSync(
      path,
      `{
  // the seed's examples are jsonc
  "servers": [
    { "name": "a", "description": "A", "command": ["node", "a.js"], }, /* trailing comma */
  ],
}`,
    );
    assert.equal(loadServersConfig(path, {}, { HOME: dir }).servers[0]?.name, 'a');
    writeFileSync(path, '{ "servers": [ }');
    assert.throws(
      () => loadServersConfig(path),
      (err: Error) => err instanceof ConfigError && /not valid JSON/.test(err.message),
    );
  });
});
