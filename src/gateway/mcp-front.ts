import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as McpTool,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type DirectTool, fullCatalogue, listedDirectTool, promotedTools } from './direct-tools.ts';
import type { Access, Gateway } from './gateway.ts';
import { setLeanCallToolHandler } from './lean-jsonrpc.ts';
import type { GatewayLogger } from './logger.ts';
import { callOnUpstream } from './meta-operations.ts';
import {
  describeCommandsInput,
  type InvokeCommandArgs,
  invokeCommandInput,
  listCommandsInput,
  listServersInput,
  META_DESCRIPTIONS,
  META_TOOL_NAMES,
  type MetaToolName,
  withArgumentAliases,
} from './meta-schemas.ts';
import { installPassthrough, PASSTHROUGH_CAPABILITIES } from './passthrough.ts';
import { relayProgress } from './progress-relay.ts';

const SCHEMAS = {
  list_servers: listServersInput,
  list_commands: listCommandsInput,
  describe_commands: describeCommandsInput,
  invoke_command: invokeCommandInput,
} as const;

function jsonSchema(schema: z.ZodType): McpTool['inputSchema'] {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete out.$schema;
  return out as McpTool['inputSchema'];
}

/** The four meta-tools as MCP tool entries (list_servers may carry the server summaries). */
export function metaToolEntries(gateway: Gateway, access: Access = {}): McpTool[] {
  return META_TOOL_NAMES.map((name) => {
    let description = META_DESCRIPTIONS[name];
    const embed = gateway.config.embedServerSummaries;
    if (name === 'list_servers' && embed.enabled) {
      const summaries = gateway
        .visible(access)
        .filter((u) => u.config.enabled)
        .slice(0, embed.maxServers)
        .map((u) => `- ${u.name}: ${u.config.description}`);
      if (summaries.length) description += `\nServers:\n${summaries.join('\n')}`;
    }
    return { name, description, inputSchema: jsonSchema(SCHEMAS[name]) };
  });
}

function isMeta(name: string): name is MetaToolName {
  return (META_TOOL_NAMES as readonly string[]).includes(name);
}

function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    Object.getPrototypeOf(v) === Object.prototype &&
    !Object.hasOwn(v, '__proto__')
  );
}

/** Arguments invokeCommandInput would accept and return unchanged; the rest gets its parse and messages. */
function isLeanInvokeArgs(args: unknown): args is InvokeCommandArgs {
  if (!isPlainRecord(args) || typeof args.server !== 'string' || typeof args.command !== 'string')
    return false;
  const parameters = args.parameters;
  return (
    typeof parameters === 'string' ||
    isPlainRecord(parameters) ||
    (parameters === undefined && !Object.hasOwn(args, 'parameters'))
  );
}

/**
 * Runs a meta-tool by name with raw arguments (the original's `server_name`/`command_name`
 * too); bad arguments become an error result.
 */
export async function runMetaTool(
  gateway: Gateway,
  name: MetaToolName,
  given: unknown,
  access: Access,
): Promise<CallToolResult> {
  const rawArgs = withArgumentAliases(given);
  if (name === 'invoke_command' && isLeanInvokeArgs(rawArgs)) return gateway.invokeCommand(rawArgs, access);
  const parsed = SCHEMAS[name].safeParse(rawArgs ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`)
      .join('; ');
    return {
      content: [{ type: 'text', text: `ERROR: invalid arguments for ${name}: ${issues}` }],
      isError: true,
    };
  }
  const args = parsed.data as never;
  switch (name) {
    case 'list_servers':
      return gateway.listServers(args, access);
    case 'list_commands':
      return gateway.listCommands(args, access);
    case 'describe_commands':
      return gateway.describeCommands(args, access);
    case 'invoke_command':
      return gateway.invokeCommand(args, access);
  }
}

/** What a client sees in tools/list for the gateway's mode. */
async function surface(gateway: Gateway, access: Access): Promise<{ meta: boolean; direct: DirectTool[] }> {
  const { mode, directToolLimit } = gateway.config;
  if (mode === 'lazy') return { meta: true, direct: promotedTools(gateway, access) };
  const all = await fullCatalogue(gateway, access);
  if (mode === 'direct' || all.length <= directToolLimit) return { meta: false, direct: all };
  return { meta: true, direct: promotedTools(gateway, access) };
}

/** An MCP server (one per client session) in front of the shared gateway. */
export function createGatewayMcpServer(gateway: Gateway, logger: GatewayLogger, access: Access = {}): Server {
  // Direct and auto sessions forward resources, prompts, logging and completion too; the
  // capabilities are fixed at initialize, before any downstream server is started.
  const forwards = gateway.config.mode !== 'lazy';
  const server = new Server(
    { name: 'lazy-mcp', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, ...(forwards ? PASSTHROUGH_CAPABILITIES : {}) } },
  );
  const dispose = forwards
    ? installPassthrough(server, {
        gateway,
        access,
        logger,
        isDirect: async () =>
          gateway.config.mode === 'direct' ||
          (gateway.config.mode === 'auto' && !(await surface(gateway, access)).meta),
      })
    : async () => {};
  let byName = new Map<string, DirectTool>();
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const now = await surface(gateway, access);
    byName = new Map(now.direct.map((d) => [d.name, d]));
    const direct = now.direct.map(listedDirectTool) as McpTool[];
    return { tools: now.meta ? [...metaToolEntries(gateway, access), ...direct] : direct };
  });
  // In lazy mode the meta-tools are always listed; no need to work out the surface per call.
  const metaListed = async () => gateway.config.mode === 'lazy' || (await surface(gateway, access)).meta;
  setLeanCallToolHandler(server, async (request, extra) => {
    const started = Date.now();
    const progress = relayProgress(request.params._meta?.progressToken, extra.sendNotification);
    const onProgress = progress.onProgress;
    const callAccess: Access = { ...access, signal: extra.signal, onProgress };
    const name = request.params.name;
    const args = request.params.arguments ?? {};
    let result: CallToolResult;
    let server_: string | undefined;
    let command: string | undefined;
    if (isMeta(name) && (await metaListed())) {
      const metaArgs = withArgumentAliases(args) as Record<string, unknown>;
      server_ = typeof metaArgs.server === 'string' ? metaArgs.server : undefined;
      command = typeof metaArgs.command === 'string' ? metaArgs.command : undefined;
      result = await runMetaTool(gateway, name, metaArgs, callAccess);
    } else {
      let direct = byName.get(name);
      if (!direct) {
        const now = await surface(gateway, access);
        byName = new Map(now.direct.map((d) => [d.name, d]));
        direct = byName.get(name);
      }
      const upstream = direct && gateway.visible(access).find((u) => u.name === direct.server);
      if (!direct || !upstream) {
        result = {
          content: [
            { type: 'text', text: `ERROR: unknown tool "${name}". Call tools/list for the current tools.` },
          ],
          isError: true,
        };
      } else {
        server_ = direct.server;
        command = direct.command;
        result = await callOnUpstream(gateway, upstream, direct.command, args, callAccess);
      }
    }
    await progress.flush();
    logger.info('tool call', {
      lazyTool: name,
      downstreamServer: server_,
      downstreamCommand: command,
      status: result.isError ? 'error' : 'ok',
      reason: result._meta?.lazyMcpPolicy === 'blocked' ? 'blocked' : undefined,
      durationMs: Date.now() - started,
    });
    return result;
  });
  const unsubscribe = gateway.onToolsChanged(() => {
    void server.sendToolListChanged().catch(() => {});
  });
  server.onclose = () => {
    unsubscribe();
    void dispose().catch((err: Error) => logger.error('closing a session failed', { error: err.message }));
  };
  return server;
}
