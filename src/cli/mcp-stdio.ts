import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { SCOPES } from '../auth/scopes.ts';
import { localDataDir, readTeamClientConfig } from '../config/client-config.ts';
import { parseTeamConfig } from '../config/team-config.ts';
import { createLogger } from '../logger.ts';
import { createMcpServer } from '../mcp/create-mcp-server.ts';
import { callableTools, invokeTool } from '../pipeline/invoke.ts';
import type { Caller } from '../pipeline/team-state.ts';
import { createTeamServer } from '../server/team-server.ts';
import { agentNameFromClient } from '../sessions/names.ts';
import { VERSION } from '../version.ts';
import { CliError } from './cli-error.ts';

/**
 * `lean-ctx mcp`: a stdio MCP server for one developer's agent. With a team server
 * configured it forwards every call there; otherwise it serves the current directory.
 */
export async function runMcpStdio(cwd: string): Promise<() => Promise<void>> {
  let team: ReturnType<typeof readTeamClientConfig>;
  try {
    team = readTeamClientConfig(cwd);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const transport = new StdioServerTransport();
  if (team) {
    const headers: Record<string, string> = { authorization: `Bearer ${team.token}` };
    if (team.workspace) headers['x-leanctx-workspace'] = team.workspace;
    const client = new Client({ name: 'lean-ctx-mcp', version: VERSION });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${team.server}/mcp`), { requestInit: { headers } }),
    );
    // A plain relay: listings and results pass through exactly as the team server sends them.
    const server = new Server({ name: 'leanctx', version: VERSION }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, (req) => client.listTools(req.params));
    server.setRequestHandler(CallToolRequestSchema, (req, extra) =>
      client.callTool(req.params, undefined, { signal: extra.signal }),
    );
    await server.connect(transport);
    return async () => {
      await server.close();
      await client.close();
    };
  }
  const config = parseTeamConfig(
    { workspaces: [{ id: 'local', root: cwd, allowExec: true }], dataDir: localDataDir() },
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
    callTool: (name, args, extra, client) =>
      invokeTool(local.deps, {
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
      }),
  });
  await server.connect(transport);
  return async () => {
    await server.close();
    await local.close();
  };
}
