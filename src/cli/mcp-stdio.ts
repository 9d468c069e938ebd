import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { SCOPES } from '../auth/scopes.ts';
import { localDataDir, readTeamClientConfig } from '../config/client-config.ts';
import { createMcpServer } from '../mcp/create-mcp-server.ts';
import { RpcError } from '../mcp/rpc-error.ts';
import type { Caller } from '../pipeline/team-state.ts';
import { agentNameFromClient } from '../sessions/names.ts';
import { VERSION } from '../version.ts';
import type { CliIo } from './cli-error.ts';

interface Served {
  server: Server;
  /** Closes what stands behind the server (the team client, the local engine). */
  close(): Promise<void>;
}

/**
 * `lean-ctx mcp`: a stdio MCP server for one developer's agent. With a team server
 * configured it forwards every call there; otherwise it serves the current directory. When
 * it cannot start, the agent's `initialize` is answered with why, and stderr gets one line.
 */
export async function runMcpStdio(
  cwd: string,
  io: CliIo,
  opts: { allowExec: boolean } = { allowExec: false },
): Promise<() => Promise<void>> {
  let served: Served;
  try {
    const team = readTeamClientConfig(cwd);
    if (team) {
      // the SDK client is loaded only to forward to a team server
      const { createTeamRelay } = await import('./mcp-forward.ts');
      served = await createTeamRelay(team, io);
    } else {
      served = serveLocally(cwd, opts.allowExec);
    }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.err(`lean-ctx mcp: ${message}\n`);
    const { createRefusingServer } = await import('./mcp-forward.ts');
    served = {
      server: createRefusingServer(new RpcError(ErrorCode.ConnectionClosed, message)),
      close: async () => {},
    };
  }
  await served.server.connect(new StdioServerTransport());
  return async () => {
    await served.server.close();
    await served.close();
  };
}

/**
 * Every tool on the current directory, its state in a data directory of that root alone. The
 * config, tools, engine and store load after the `initialize` answer (or with the first call,
 * whichever comes first), so the client's handshake waits for none of them.
 */
function serveLocally(cwd: string, allowExec: boolean): Served {
  const loadLocal = async () => {
    const [{ parseTeamConfig }, { createTeamServer }, pipeline, { createLogger }, { warmTokenizer }] =
      await Promise.all([
        import('../config/team-config.ts'),
        import('../server/team-server.ts'),
        import('../pipeline/invoke.ts'),
        import('../logger.ts'),
        import('../engine/o200k.ts'),
      ]);
    const config = parseTeamConfig(
      {
        workspaces: [{ id: 'local', root: cwd, allowExec, shellHistory: true }],
        dataDir: localDataDir(cwd),
        // one developer's project: its own SQLite file, whatever LEANCTX_DATABASE_URL says
        store: { kind: 'sqlite' },
      },
      cwd,
      'local workspace',
    );
    const local = createTeamServer({ config, logger: createLogger({ level: 'warn' }) });
    warmTokenizer();
    return { config, local, ...pipeline };
  };
  let loading: ReturnType<typeof loadLocal> | undefined;
  const loaded = () => {
    loading ??= loadLocal();
    return loading;
  };
  const caller: Caller = {
    tokenId: 'local',
    // without --allow-exec the tools that run commands or write files are not even listed
    scopes: new Set(allowExec ? SCOPES : SCOPES.filter((s) => s !== 'exec')),
    workspaces: undefined,
    servers: undefined,
  };
  const contextId = randomUUID();
  const server = createMcpServer({
    name: 'leanctx',
    version: VERSION,
    listTools: async () => {
      const { config, local, callableTools } = await loaded();
      return callableTools(local.deps, caller, local.deps.registry.listed(config.toolSurface));
    },
    callTool: async (name, args, extra, client) => {
      const { local, invokeTool } = await loaded();
      return invokeTool(local.deps, {
        caller,
        requestId: randomUUID(),
        method: 'tools/call',
        name,
        args: args ?? {},
        workspaceId: undefined,
        channelId: undefined,
        contextId,
        agentName: agentNameFromClient(client?.name),
        signal: extra.signal,
      });
    },
  });
  // A failed load is answered to the calls that need it; the warm-up itself stays quiet.
  server.oninitialized = () => void loaded().catch(() => {});
  return {
    server,
    close: async () => {
      const done = await loading?.catch(() => undefined);
      await done?.local.close();
    },
  };
}
