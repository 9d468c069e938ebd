import { basename } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/config-error.ts';
import { MODES } from '../config/gateway-mode.ts';
import type { ServersConfig, ServersOverrides } from '../config/servers-config.ts';
import { VERSION } from '../version.ts';

// The config reader, the gateway and each front are imported once argv asks for them:
// --version and --help load none of them.
type ConfigReader = typeof import('../config/servers-config.ts');

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

function int(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
    return n;
  };
}

function buildProgram(): Command {
  return (
    new Command('lazy-mcp')
      .description(
        'A lazy MCP gateway: one MCP server that shows four meta-tools and starts the servers in servers.json on first use.',
      )
      .usage('[options] [command args...]')
      .version(VERSION)
      .option(
        '-c, --config <path>',
        'servers.json (default: $LAZY_MCP_CONFIG, else $XDG_CONFIG_HOME/lazy-mcp/servers.json)',
      )
      .addOption(new Option('--transport <type>', 'how clients connect').choices(['stdio', 'http']))
      .option('--port <n>', 'HTTP port (default 8080)', int('--port'))
      .option('--host <host>', 'HTTP bind address (default 127.0.0.1)')
      .option('--path <path>', 'HTTP endpoint path (default /mcp)')
      .option(
        '--auth-token <token>',
        'bearer token HTTP clients must send (visible in ps: prefer --auth-token-file or LAZY_MCP_AUTH_TOKEN)',
      )
      .option('--auth-token-file <path>', 'read the bearer token from this file (trailing newline dropped)')
      .option(
        '--request-timeout <ms>',
        'timeout per downstream request (default 10000)',
        int('--request-timeout'),
      )
      .option(
        '--max-payload-size <bytes>',
        'largest HTTP request body (default 4194304)',
        int('--max-payload-size'),
      )
      .addOption(new Option('--mode <mode>', 'lazy (meta-tools), direct (every tool), auto').choices(MODES))
      .addOption(new Option('--log-level <level>', 'stderr log level').choices(['error', 'info', 'debug']))
      .addOption(new Option('--log-format <format>', 'stderr log format').choices(['json', 'plain']))
      .option('--check', 'validate the configuration, print a summary and exit')
      .argument(
        '[command...]',
        'run a single server without a servers.json; everything from the command on is its own (lazy-mcp npx -y some-mcp-server)',
      )
      // `lazy-mcp npx -y pkg`: options after the wrapped command belong to it, not to lazy-mcp.
      .passThroughOptions()
      .addHelpText(
        'after',
        '\nEnvironment: LAZY_MCP_CONFIG, LAZY_MCP_TRANSPORT, LAZY_MCP_PORT, LAZY_MCP_HOST, LAZY_MCP_PATH,\n' +
          'LAZY_MCP_AUTH_TOKEN, LAZY_MCP_AUTH_TOKEN_FILE, LAZY_MCP_REQUEST_TIMEOUT, LAZY_MCP_MAX_PAYLOAD_SIZE,\n' +
          'LAZY_MCP_MODE, LAZY_MCP_LOG_LEVEL, LAZY_MCP_LOG_FORMAT.\n' +
          'Precedence: flags > servers.json > environment > defaults.\n' +
          'Signals: SIGHUP reloads servers.json; SIGINT/SIGTERM stop every downstream server and exit.\n' +
          'Exit codes: 0 ok, 1 runtime failure, 2 bad usage or configuration.\n',
      )
      .exitOverride()
      .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) })
  );
}

interface Flags extends ServersOverrides {
  config?: string;
  logFormat?: 'json' | 'plain';
  check?: boolean;
}

const RUNNERS = new Set(['npx', 'uvx', 'bunx', 'pnpx', 'pipx', 'node', 'python', 'python3', 'deno', 'bun']);

/** `npx -y @scope/some-server@latest stdio` → "some-server"; `grepai mcp-serve` → "grepai". */
function singleServerName(command: readonly string[]): string {
  const [program = 'server', ...args] = command;
  const runner = RUNNERS.has(basename(program));
  const word = (runner ? args.find((a) => !a.startsWith('-')) : undefined) ?? program;
  const name = basename(word.replace(/(.)@[^/]*$/, '$1'))
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return name || 'server';
}

function loadConfig(read: ConfigReader, flags: Flags, command: readonly string[]): ServersConfig {
  const overrides: ServersOverrides = { ...flags, transport: flags.transport };
  if (command.length > 0) {
    const name = singleServerName(command);
    const raw = { servers: [{ name, description: command.join(' '), command: [...command] }] };
    return read.parseServersConfig(raw, { baseDir: process.cwd(), overrides, source: 'command line' });
  }
  return read.loadServersConfig(read.resolveServersConfigPath(flags.config), overrides);
}

/** `lazy-mcp`: parse flags, load servers.json, serve until stdin closes or a signal arrives. */
export async function runLazyMcp(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    program.parse([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    throw err;
  }
  const flags = program.opts<Flags>();
  const command = program.args;
  const read = await import('../config/servers-config.ts');
  let config: ServersConfig;
  try {
    config = loadConfig(read, flags, command);
  } catch (err) {
    process.stderr.write(`lazy-mcp: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.usage;
  }
  if (flags.authToken !== undefined) {
    process.stderr.write(
      'lazy-mcp: warning: --auth-token is visible to every user of this machine (ps); use --auth-token-file or LAZY_MCP_AUTH_TOKEN\n',
    );
  }
  if (flags.check) {
    for (const warning of config.warnings) process.stderr.write(`lazy-mcp: warning: ${warning}\n`);
    const bad = config.servers.filter((s) => s.configError);
    for (const s of bad) process.stderr.write(`lazy-mcp: server "${s.name}": ${s.configError}\n`);
    process.stdout.write(
      `${config.path ?? 'command line'}: ${config.servers.length} servers, transport ${config.transport.type}, mode ${config.mode}\n`,
    );
    return bad.length > 0 ? EXIT.usage : EXIT.ok;
  }
  const [{ createGateway }, { createGatewayLogger }] = await Promise.all([
    import('../gateway/gateway.ts'),
    import('../gateway/logger.ts'),
  ]);
  const logger = createGatewayLogger(config.logging);
  const gateway = createGateway(config, logger, {
    loadConfig: command.length > 0 ? undefined : () => loadConfig(read, flags, command),
  });

  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = resolve;
  });
  let stopping = false;
  let closeFront: () => Promise<void> = async () => {};
  const shutdown = async (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { reason: why });
    await closeFront().catch(() => {});
    await gateway.close();
    finish(code);
  };
  const onHup = () => {
    logger.info('SIGHUP: reloading configuration');
    void gateway.reload().catch((err: Error) => logger.error('reload failed', { error: err.message }));
  };
  const onTerm = (signal: NodeJS.Signals) => void shutdown(EXIT.ok, signal);
  if (process.platform !== 'win32') process.on('SIGHUP', onHup);
  process.on('SIGINT', onTerm);
  process.on('SIGTERM', onTerm);

  try {
    if (config.transport.type === 'http') {
      const { listenGatewayHttp } = await import('../gateway/http-front.ts');
      const http = await listenGatewayHttp(gateway, logger, config.transport);
      closeFront = () => http.close();
    } else {
      const [{ createGatewayMcpServer }, { CoalescingStdioServerTransport }, { CLIENT_SIDE, dumpBodies }] =
        await Promise.all([
          import('../gateway/mcp-front.ts'),
          import('../gateway/stdio-front.ts'),
          import('../gateway/body-dump.ts'),
        ]);
      const server = createGatewayMcpServer(gateway, logger);
      const transport = new CoalescingStdioServerTransport();
      dumpBodies(transport, logger, CLIENT_SIDE);
      await server.connect(transport);
      closeFront = () => server.close();
      server.onerror = (err) => logger.error('client connection error', { error: err.message });
      // The SDK closes stdio on a client line over 10 MiB; with no client left, stop too.
      const onclose = server.onclose;
      server.onclose = () => {
        onclose?.();
        void shutdown(EXIT.failure, 'the client connection closed');
      };
      const onEnd = () => void shutdown(EXIT.ok, 'stdin closed');
      process.stdin.once('end', onEnd);
      process.stdin.once('close', onEnd);
    }
    logger.info('lazy-mcp ready', {
      servers: config.servers.length,
      transport: config.transport.type,
      mode: config.mode,
      config_file: config.path,
      pid: process.pid,
    });
  } catch (err) {
    logger.error('could not start', { error: err instanceof Error ? err.message : String(err) });
    await shutdown(EXIT.failure, 'start-up failed');
  }
  const code = await done;
  process.off('SIGHUP', onHup);
  process.off('SIGINT', onTerm);
  process.off('SIGTERM', onTerm);
  return code;
}

export { ConfigError };
