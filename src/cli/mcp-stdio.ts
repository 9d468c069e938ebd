import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { SCOPES } from '../auth/scopes.ts';
import { localDataDir, readTeamClientConfig } from '../config/client-config.ts';
import { createMcpServer } from '../mcp/create-mcp-server.ts';
import type { Caller } from '../pipeline/team-state.ts';
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
    const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
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
  // The config, tools, engine and store load after the `initialize` answer (or with the first
  // call, whichever comes first), so the client's handshake waits for none of them.
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
      { workspaces: [{ id: 'local', root: cwd, allowExec: true }], dataDir: localDataDir() },
      cwd,
      'local workspace',
    );
    const server = createTeamServer({ config, logger: createLogger({ level: 'warn' }) });
    warmTokenizer();
    return { config, server, ...pipeline };
  };
  let loading: ReturnType<typeof loadLocal> | undefined;
  const local = () => {
    loading ??= loadLocal();
    return loading;
  };
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
    listTools: async () => {
      const { config, server, callableTools } = await local();
      return callableTools(server.deps, caller, server.deps.registry.listed(config.toolSurface));
    },
    callTool: async (name, args, extra) => {
      const { server, invokeTool } = await local();
      return invokeTool(server.deps, {
        caller,
        requestId: randomUUID(),
        method: 'tools/call',
        name,
        args: args ?? {},
        workspaceId: undefined,
        channelId: undefined,
        contextId,
        signal: extra.signal,
      });
    },
  });
  // A failed load is answered to the calls that need it; the warm-up itself stays quiet.
  server.oninitialized = () => void local().catch(() => {});
  await server.connect(transport);
  return async () => {
    await server.close();
    const loaded = await loading?.catch(() => undefined);
    await loaded?.server.close();
  };
}
