import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool as McpTool,
  type ProgressToken,
  type ServerNotification,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { type DirectTool, fullCatalogue, listedDirectTool, promotedTools } from './direct-tools.ts';
import type { Access, Gateway } from './gateway.ts';
import { isPlainRecord, setLeanCallToolHandler } from './lean-jsonrpc.ts';
import type { GatewayLogger } from './logger.ts';
import { callOnUpstream, forwardOnUpstream, isErrorAnswer, type ToolAnswer } from './meta-operations.ts';
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
import { ForwardedAnswer } from './raw-channel.ts';
import { RawFront } from './raw-front.ts';
import type { Upstream } from './upstream.ts';

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
 * How a call reaches a downstream server: the SDK Server's handler takes a checked result
 * object, the raw front the answer as the server sent it.
 */
interface CallPath<T extends ToolAnswer> {
  invoke(gateway: Gateway, args: InvokeCommandArgs, access: Access): Promise<T | CallToolResult>;
  direct(
    gateway: Gateway,
    upstream: Upstream,
    command: string,
    args: Record<string, unknown>,
    access: Access,
  ): Promise<T | CallToolResult>;
}

const CHECKED: CallPath<CallToolResult> = {
  invoke: (gateway, args, access) => gateway.invokeCommand(args, access),
  direct: callOnUpstream,
};

const FORWARDED: CallPath<ToolAnswer> = {
  invoke: (gateway, args, access) => gateway.forwardCommand(args, access),
  direct: forwardOnUpstream,
};

/**
 * Runs a meta-tool by name with raw arguments (the original's `server_name`/`command_name`
 * too); bad arguments become an error result.
 */
export async function runMetaTool<T extends ToolAnswer = CallToolResult>(
  gateway: Gateway,
  name: MetaToolName,
  given: unknown,
  access: Access,
  path: CallPath<T> = CHECKED as unknown as CallPath<T>,
): Promise<T | CallToolResult> {
  const rawArgs = withArgumentAliases(given);
  if (name === 'invoke_command' && isLeanInvokeArgs(rawArgs)) return path.invoke(gateway, rawArgs, access);
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
      return path.invoke(gateway, args, access);
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

interface ToolCallRequest {
  name: string;
  args: Record<string, unknown>;
  progressToken: ProgressToken | undefined;
}

/** One session's tools: what tools/list shows, and what a name in tools/call runs (logged). */
function createToolRouter(gateway: Gateway, logger: GatewayLogger, access: Access) {
  let byName = new Map<string, DirectTool>();
  const refresh = async () => {
    const now = await surface(gateway, access);
    byName = new Map(now.direct.map((d) => [d.name, d]));
    return now;
  };
  const metaListed = async () => (await surface(gateway, access)).meta;

  const route = async <T extends ToolAnswer>(
    name: string,
    args: Record<string, unknown>,
    callAccess: Access,
    path: CallPath<T>,
  ): Promise<{ answer: T | CallToolResult; server?: string; command?: string }> => {
    // In lazy mode the meta-tools are always listed; no need to work out the surface per call.
    if (isMeta(name) && (gateway.config.mode === 'lazy' || (await metaListed()))) {
      const metaArgs = withArgumentAliases(args) as Record<string, unknown>;
      return {
        answer: await runMetaTool(gateway, name, metaArgs, callAccess, path),
        server: typeof metaArgs.server === 'string' ? metaArgs.server : undefined,
        command: typeof metaArgs.command === 'string' ? metaArgs.command : undefined,
      };
    }
    if (!byName.has(name)) await refresh();
    const direct = byName.get(name);
    const upstream = gateway.visibleUpstream(direct?.server, access);
    if (!direct || !upstream) {
      return {
        answer: {
          content: [
            { type: 'text', text: `ERROR: unknown tool "${name}". Call tools/list for the current tools.` },
          ],
          isError: true,
        },
      };
    }
    const answer = await path.direct(gateway, upstream, direct.command, args, callAccess);
    return { answer, server: direct.server, command: direct.command };
  };

  return {
    async list(): Promise<McpTool[]> {
      const now = await refresh();
      const direct = now.direct.map(listedDirectTool) as McpTool[];
      return now.meta ? [...metaToolEntries(gateway, access), ...direct] : direct;
    },
    /** Runs a call; its progress goes out through `send` before the answer comes back. */
    async call<T extends ToolAnswer>(
      request: ToolCallRequest,
      stop: Pick<Access, 'signal' | 'cancellation'>,
      send: (notification: ServerNotification) => Promise<void>,
      path: CallPath<T>,
    ): Promise<T | CallToolResult> {
      const started = Date.now();
      const progress = relayProgress(request.progressToken, send);
      const callAccess: Access = {
        ...access,
        signal: stop.signal,
        cancellation: stop.cancellation,
        onProgress: progress.onProgress,
      };
      const { answer, server, command } = await route(request.name, request.args, callAccess, path);
      await progress.flush();
      logger.info('tool call', {
        lazyTool: request.name,
        downstreamServer: server,
        downstreamCommand: command,
        status: isErrorAnswer(answer) ? 'error' : 'ok',
        reason:
          !(answer instanceof ForwardedAnswer) && answer._meta?.lazyMcpPolicy === 'blocked'
            ? 'blocked'
            : undefined,
        durationMs: Date.now() - started,
      });
      return answer;
    },
  };
}

/**
 * The MCP server of one client session; with `forwarding: "raw"` its tools/call go past the
 * SDK's request handling (see RawFront), everything else through it.
 */
export class GatewayMcpServer extends Server {
  constructor(
    info: ConstructorParameters<typeof Server>[0],
    options: ConstructorParameters<typeof Server>[1],
    /** Set when tools/call takes the raw path; the HTTP front hands it calls directly. */
    readonly raw: RawFront | undefined,
  ) {
    super(info, options);
  }

  override async connect(transport: Transport): Promise<void> {
    this.raw?.install(transport);
    await super.connect(transport);
  }
}

/** An MCP server (one per client session) in front of the shared gateway. */
export function createGatewayMcpServer(
  gateway: Gateway,
  logger: GatewayLogger,
  access: Access = {},
): GatewayMcpServer {
  // Direct and auto sessions forward resources, prompts, logging and completion too; the
  // capabilities are fixed at initialize, before any downstream server is started.
  const forwards = gateway.config.mode !== 'lazy';
  const router = createToolRouter(gateway, logger, access);
  const raw =
    gateway.config.forwarding === 'raw'
      ? new RawFront(
          (call, cancellation, send) => router.call(call, { cancellation }, send, FORWARDED),
          (error) => logger.error('could not answer a tool call', { error: error.message }),
        )
      : undefined;
  const server = new GatewayMcpServer(
    { name: 'lazy-mcp', version: '1.0.0' },
    { capabilities: { tools: { listChanged: true }, ...(forwards ? PASSTHROUGH_CAPABILITIES : {}) } },
    raw,
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
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await router.list() }));
  setLeanCallToolHandler(server, (request, extra) =>
    router.call(
      {
        name: request.params.name,
        args: request.params.arguments ?? {},
        progressToken: request.params._meta?.progressToken,
      },
      { signal: extra.signal },
      extra.sendNotification,
      CHECKED,
    ),
  );
  const unsubscribe = gateway.onToolsChanged(() => {
    void server.sendToolListChanged().catch(() => {});
  });
  server.onclose = () => {
    unsubscribe();
    raw?.close();
    void dispose().catch((err: Error) => logger.error('closing a session failed', { error: err.message }));
  };
  return server;
}
