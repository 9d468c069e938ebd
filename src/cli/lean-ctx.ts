import { Command, CommanderError, Option } from 'commander';
import { SCOPES } from '../auth/scopes.ts';
import { ConfigError } from '../config/config-error.ts';
import { AppError } from '../errors.ts';
import { VERSION } from '../version.ts';
import { CliError, type CliIo, processIo } from './cli-error.ts';
import type { RunningServer } from './run-server.ts';

// Each command imports its own modules when it runs: --version and --help load none of them.

/** What a command leaves running: the CLI waits until it stops. */
type Outcome = number | RunningServer | { wait(): Promise<void> };

function buildProgram(io: CliIo, done: (outcome: Outcome) => void): Command {
  const program = new Command('lean-ctx')
    .description('leanctx: a context server for teams of AI coding agents')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .configureHelp({ helpWidth: 100 })
    .showHelpAfterError('(add --help for usage)')
    .option(
      '-c, --command <command>',
      "run a shell command here; print its output compressed as ctx_shell does, exit with the command's code",
    );

  const team = program.command('team').description('the team server: tokens, serve, sync');
  const token = team.command('token').description('create, list and revoke bearer tokens');
  token
    .command('create')
    .description('create a token; prints it once on stdout, team.json keeps only its SHA-256')
    .requiredOption('--config <file>', 'team.json')
    .requiredOption('--id <id>', 'token id, e.g. dev-alice')
    .option('--scopes <list>', `comma-separated: ${SCOPES.join(',')}`)
    // the original CLI's spelling of --scopes
    .addOption(new Option('--scope <list>').hideHelp())
    .option(
      '--role <role>',
      "a role of the team profile, e.g. viewer | member | developer | admin | owner (default: the profile's default role)",
    )
    .option('--workspaces <list>', 'limit the token to these workspace ids')
    .option('--profile <preset|file>', "team profile whose roles --role names (default: team.json's profile)")
    .action(async (opts) => {
      const { tokenCreate } = await import('./token-commands.ts');
      tokenCreate({ ...opts, scopes: opts.scopes ?? opts.scope }, io);
      done(0);
    });
  token
    .command('list')
    .description('list tokens (ids, scopes, status; never secrets)')
    .requiredOption('--config <file>', 'team.json')
    .option('--json', 'machine-readable output')
    .action(async (opts) => {
      const { tokenList } = await import('./token-commands.ts');
      tokenList(opts, io);
      done(0);
    });
  token
    .command('revoke')
    .description('revoke a token; a running server drops it on its next reload (automatic on file change)')
    .requiredOption('--config <file>', 'team.json')
    .requiredOption('--id <id>', 'token id')
    .action(async (opts) => {
      const { tokenRevoke } = await import('./token-commands.ts');
      tokenRevoke(opts, io);
      done(0);
    });
  team
    .command('serve')
    .description('serve the team server from team.json (reloads on change and SIGHUP)')
    .requiredOption('--config <file>', 'team.json')
    .option(
      '--profile <preset|file>',
      "team profile: solo | team | ci | strict or a TOML file (over team.json's)",
    )
    .option(
      '--bind <host:port>',
      "address to listen on (over team.json's host and port; the file is not changed)",
    )
    .option(
      '--replica-id <id>',
      'name of this replica when several share one team.json: the metrics label and audit-<id> file (default: hostname-pid, and the audit file keeps its name)',
    )
    .action(async (opts) => {
      const { runServer } = await import('./run-server.ts');
      const { parseBind } = await import('./serve-data-dir.ts');
      const bind = opts.bind ? parseBind(opts.bind) : undefined;
      if (opts.replicaId !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(opts.replicaId)) {
        throw new CliError(
          `--replica-id "${opts.replicaId}" is not valid; use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
          2,
        );
      }
      done(
        await runServer(opts.config, io, {
          profile: opts.profile,
          host: bind?.host,
          port: bind?.port,
          replicaId: opts.replicaId,
        }),
      );
    });
  team
    .command('sync')
    .description('git fetch each workspace, then re-index what changed (cron- or CI-friendly)')
    .requiredOption('--config <file>', 'team.json')
    .option('--workspace <id>', 'only this workspace')
    .option(
      '--pull',
      'also fast-forward the checked-out branch (refused on a dirty tree or a diverged branch)',
    )
    .action(async (opts) => {
      const { teamSync } = await import('./team-sync.ts');
      done(await teamSync(opts, io, process.stderr.isTTY === true));
    });

  program
    .command('serve')
    .description('the Docker form: serve --team --bind 0.0.0.0:7700 --data-dir ./team-data')
    .option('--team', 'serve the team server (required)')
    // The image sets LEANCTX_BIND=0.0.0.0:7700, so the seed's `docker run … serve --team
    // --data-dir /data` is reachable through -p; outside a container the default stays 127.0.0.1.
    .addOption(
      new Option(
        '--bind <host:port>',
        "address to listen on (default: team.json's; 127.0.0.1:7700 on first start)",
      ).env('LEANCTX_BIND'),
    )
    .requiredOption('--data-dir <dir>', 'holds team.json, the database and the audit log')
    .option('--workspace <path>', 'project root for workspace "main" on first start (default: cwd)')
    .action(async (opts) => {
      if (!opts.team) throw new CliError('serve needs --team (the only server mode)', 2);
      const { serveDataDir } = await import('./serve-data-dir.ts');
      done(await serveDataDir(opts, io));
    });

  program
    .command('demo')
    .description('serve this repository as workspace "main" and print a token and curl lines (npm start)')
    .option('--port <n>', 'port (default 9877, or a free one if taken)')
    .action(async (opts) => {
      const { runDemo } = await import('./demo.ts');
      done(await runDemo(io, opts.port ? { port: Number(opts.port) } : {}));
    });

  program
    .command('mcp')
    .description('stdio MCP server for one agent: local tools, or forwards to [team] server when configured')
    .addHelpText(
      'after',
      [
        '',
        'Local mode serves the current directory; its index, archives and database live in',
        '$XDG_STATE_HOME/leanctx/<hash of the root> (default ~/.local/state), one per project root.',
        'Forward mode: [team] server, token, workspace in .lean-ctx/config.toml, or',
        'LEANCTX_TEAM_SERVER, LEANCTX_TEAM_TOKEN, LEANCTX_WORKSPACE. When it cannot start, the',
        "agent's initialize is answered with why (token refused, cannot reach the server …).",
      ].join('\n'),
    )
    .option(
      '--allow-exec',
      'local mode: offer ctx_shell, ctx_edit and ctx_execute, which run commands and code and write files',
    )
    .action(async (opts: { allowExec?: boolean }) => {
      const { runMcpStdio } = await import('./mcp-stdio.ts');
      const close = await runMcpStdio(process.cwd(), io, { allowExec: opts.allowExec === true });
      done({
        wait: () =>
          new Promise<void>((resolve) => {
            process.stdin.on('close', () => void close().then(resolve));
          }),
      });
    });

  const index = program.command('index').description('the code graph index');
  index
    .command('build [path]')
    .description('bring the code graph up to date: a team.json workspace or a directory (default: .)')
    .option('--workspace <id>', 'a workspace of team.json instead of a path')
    .option('--config <file>', 'team.json (with --workspace)', 'team.json')
    .option('--full', 'parse every file again')
    .action(
      async (path: string | undefined, opts: { workspace?: string; config: string; full?: boolean }) => {
        const { indexBuild } = await import('./index-build.ts');
        done(await indexBuild(path, { ...opts, tty: process.stderr.isTTY === true }, io));
      },
    );

  program
    .command('observatory')
    .description("the team server's live dashboard: prints its URL; --open opens it in the default browser")
    .option('--open', 'open the page in the default browser (xdg-open, open or start)')
    .option('--config <file>', 'team.json of the server (default: ./team.json)')
    .option('--server <url>', 'the team server by URL, e.g. http://127.0.0.1:9877')
    .action(async (opts) => {
      const { runObservatory } = await import('./observatory.ts');
      done(await runObservatory(opts, io));
    });

  const session = program.command('session').description('shared sessions');
  session
    .command('list')
    .description('channels of a workspace: revision and agents')
    .option('--config <file>', 'team.json', 'team.json')
    .option('--workspace <id>', 'workspace id (default: defaultWorkspaceId)')
    .action(async (opts) => {
      const { sessionList } = await import('./session-list.ts');
      await sessionList(opts, io);
      done(0);
    });

  return program;
}

/** Runs `lean-ctx` with argv (without node and script); resolves to the exit code. */
export async function runLeanCtx(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let outcome: Outcome = 0;
  const program = buildProgram(io, (o) => {
    outcome = o;
  });
  if (argv.length === 0) {
    program.outputHelp();
    return 2;
  }
  if (argv[0] === '-c' || argv[0] === '--command') {
    if (argv.length !== 2 || !argv[1]) {
      io.err('lean-ctx: -c takes one argument, the whole command in quotes: lean-ctx -c "git log -n 20"\n');
      return 2;
    }
    const { runCompressed } = await import('./run-compressed.ts');
    return runCompressed(argv[1], io);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return 0;
      }
      return 2;
    }
    if (err instanceof CliError) {
      io.err(`lean-ctx: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      io.err(`lean-ctx: ${err.message}\n`);
      return 1;
    }
    // the store named in team.json is unreachable (its message says where and how to mend it)
    if (err instanceof AppError) {
      io.err(`lean-ctx: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  const result = outcome as Outcome;
  if (typeof result === 'number') return result;
  if ('wait' in result) {
    await result.wait();
    return 0;
  }
  await new Promise<void>((resolve) => {
    const stop = () => void result.stop().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
