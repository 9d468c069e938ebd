import { randomUUID } from 'node:crypto';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { SCOPES } from '../auth/scopes.ts';
import { localDataDir, readTeamClientConfig } from '../config/client-config.ts';
import { parseTeamConfig } from '../config/team-config.ts';
import { createLogger } from '../logger.ts';
import { createMcpServer } from '../mcp/create-mcp-server.ts';
import { RpcError } from '../mcp/rpc-error.ts';
import { callableTools, invokeTool } from '../pipeline/invoke.ts';
import type { Caller } from '../pipeline/team-state.ts';
import { createTeamServer } from '../server/team-server.ts';
import { VERSION } from '../version.ts';
import type { CliIo } from './cli-error.ts';
import { createRefusingServer, createTeamRelay } from './mcp-forward.ts';

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
export async function runMcpStdio(cwd: string, io: CliIo): Promise<() => Promise<void>> {
  let served: Served;
  try {
    const team = readTeamClientConfig(cwd);
    served = team ? await createTeamRelay(team, io) : serveLocally(cwd);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.err(`lean-ctx mcp: ${message}\n`);
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

/** Every tool on the current directory, its state in a data directory of that root alone. */
function serveLocally(cwd: string): Served {
  const config = parseTeamConfig(
    { workspaces: [{ id: 'local', root: cwd, allowExec: true }], dataDir: localDataDir(cwd) },
    cwd,
    'local workspace',
  );
  const local = createTeamServer({ config, logger: createLogger({ level: 'warn' }) });
  const caller: Caller = {
    tokenId: 'local',
    scopes: new Set(SCOPES),
    workspaces: undefined,
    servers: undefined,
  };
  const contextId = randomUUID();
  const server = createMcpServer({
    name: 'leanctx',
    version: VERSION,
    listTools: () => callableTools(local.deps, caller, local.deps.registry.listed(config.toolSurface)),
    callTool: (name, args, extra) =>
      invokeTool(local.deps, {
        caller,
        requestId: randomUUID(),
        method: 'tools/call',
        name,
        args: args ?? {},
        workspaceId: undefined,
        channelId: undefined,
        contextId,
        signal: extra.signal,
      }),
  });
  return { server, close: () => local.close() };
}
