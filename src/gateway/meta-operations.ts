import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Access, Gateway } from './gateway.ts';
import type {
  DescribeCommandsArgs,
  InvokeCommandArgs,
  ListCommandsArgs,
  ListServersArgs,
} from './meta-schemas.ts';
import { blockedResult, decidePermission } from './permissions.ts';
import { DownstreamError, type DownstreamTool, Upstream } from './upstream.ts';

function text(body: string, isError = false): CallToolResult {
  return isError
    ? { content: [{ type: 'text', text: body }], isError: true }
    : { content: [{ type: 'text', text: body }] };
}

/** A failure the agent can act on; an authorization URL travels in `_meta` too. */
export function errorResult(err: unknown): CallToolResult {
  if (err instanceof Error && err.name === 'AbortError') return text('The call was cancelled.', true);
  const result = text(`ERROR: ${err instanceof Error ? err.message : String(err)}`, true);
  if (err instanceof DownstreamError && err.authorizationUrl) {
    result._meta = { lazyMcpAuthorizationUrl: err.authorizationUrl };
  }
  return result;
}

/** The visible server of that name, or an error result naming the valid ones. */
function resolveServer(gateway: Gateway, name: string, access: Access): Upstream | CallToolResult {
  const visible = gateway.visible(access);
  const found = visible.find((u) => u.name === name);
  if (found) return found;
  const names = visible.map((u) => u.name);
  return text(
    `ERROR: unknown server "${name}". Valid servers: ${names.length ? names.join(', ') : '(none configured for you)'}. Call list_servers for details.`,
    true,
  );
}

function isDenied(gateway: Gateway, upstream: Upstream, command: string): boolean {
  return decidePermission(upstream.config, gateway.config.permissions, command).action === 'deny';
}

function oneLine(description: string | undefined, max = 140): string {
  const first = (description ?? '').trim().split(/\n|(?<=\.)\s/)[0] ?? '';
  return first.length > max ? `${first.slice(0, max - 1)}…` : first;
}

/** What list_servers reports; `pid` and `config_file` only for callers allowed process details. */
export function serverListing(
  gateway: Gateway,
  args: ListServersArgs,
  access: Access,
): Record<string, unknown> {
  const wanted = args.tags?.map((t) => t.toLowerCase());
  const servers = gateway
    .visible(access)
    .filter((u) => !wanted || u.config.tags.some((t) => wanted.includes(t.toLowerCase())))
    .map((u) => {
      const s = u.status();
      return {
        name: u.name,
        description: u.config.description,
        ...(u.config.tags.length ? { tags: u.config.tags } : {}),
        ...(u.config.examples.length ? { examples: u.config.examples } : {}),
        type: u.config.type,
        health: s.health,
        running: s.running,
        ...(s.toolCount !== undefined ? { tool_count: s.toolCount } : {}),
        ...(s.lastError ? { last_error: s.lastError } : {}),
      };
    });
  const details = access.showProcess !== false;
  return {
    ...(details ? { pid: gateway.pid, config_file: gateway.config.path ?? null } : {}),
    servers,
  };
}

export async function listServers(
  gateway: Gateway,
  args: ListServersArgs,
  access: Access,
): Promise<CallToolResult> {
  gateway.touch();
  const reload = args.reload ? await gateway.reload() : undefined;
  const body = { ...(reload ? { reload } : {}), ...serverListing(gateway, args, access) };
  return text(JSON.stringify(body, null, 1), reload !== undefined && !reload.ok);
}

async function commandsOf(gateway: Gateway, upstream: Upstream, access: Access): Promise<DownstreamTool[]> {
  const tools = await upstream.listTools({ signal: access.signal });
  return tools.filter((t) => !isDenied(gateway, upstream, t.name));
}

export async function listCommands(
  gateway: Gateway,
  args: ListCommandsArgs,
  access: Access,
): Promise<CallToolResult> {
  gateway.touch();
  const names = Array.isArray(args.server) ? args.server : [args.server];
  const sections = await Promise.all(
    names.map(async (name) => {
      const upstream = resolveServer(gateway, name, access);
      if (!(upstream instanceof Upstream))
        return { ok: false, text: (upstream.content[0] as { text: string }).text };
      try {
        const tools = await commandsOf(gateway, upstream, access);
        const lines = tools.map((t) => `- ${t.name}: ${oneLine(t.description)}`);
        return { ok: true, text: `## ${name} (${tools.length} commands)\n${lines.join('\n')}` };
      } catch (err) {
        const failed = errorResult(err);
        return {
          ok: false,
          text: `## ${name}\n${(failed.content[0] as { text: string }).text}`,
          authorizationUrl: failed._meta?.lazyMcpAuthorizationUrl as string | undefined,
        };
      }
    }),
  );
  const result = text(
    sections.map((s) => s.text).join('\n\n'),
    sections.every((s) => !s.ok),
  );
  // As for invoke_command: a host can show the URL without parsing the text.
  const waiting = names.flatMap((name, i) => {
    const url = sections[i]?.authorizationUrl;
    return url ? [[name, url] as const] : [];
  });
  if (waiting.length > 0) {
    result._meta = {
      lazyMcpAuthorizationUrl: waiting[0]?.[1],
      lazyMcpAuthorizationUrls: Object.fromEntries(waiting),
    };
  }
  return result;
}

export async function describeCommands(
  gateway: Gateway,
  args: DescribeCommandsArgs,
  access: Access,
): Promise<CallToolResult> {
  gateway.touch();
  const upstream = resolveServer(gateway, args.server, access);
  if (!(upstream instanceof Upstream)) return upstream;
  let tools: DownstreamTool[];
  try {
    tools = await commandsOf(gateway, upstream, access);
  } catch (err) {
    return errorResult(err);
  }
  const byName = new Map(tools.map((t) => [t.name, t]));
  const missing = args.commands.filter((c) => !byName.has(c));
  if (missing.length > 0) {
    return text(
      `ERROR: unknown command${missing.length > 1 ? 's' : ''} ${missing.map((m) => `"${m}"`).join(', ')} on server "${upstream.name}". Valid commands: ${[...byName.keys()].join(', ')}`,
      true,
    );
  }
  const described = args.commands.map((name) => {
    const t = byName.get(name) as DownstreamTool;
    return {
      name: t.name,
      description: t.description ?? '',
      inputSchema: t.inputSchema,
      ...(t.annotations ? { annotations: t.annotations } : {}),
    };
  });
  if (args.promote) gateway.promote(upstream.name, args.commands);
  return text(JSON.stringify(described, null, 1));
}

/** `parameters` as an object, a JSON string of one, or (mis-nested) the extra top-level keys. */
function parametersOf(args: InvokeCommandArgs): Record<string, unknown> | string {
  const { server: _s, command: _c, parameters, ...rest } = args;
  if (parameters === undefined) return rest;
  if (typeof parameters !== 'string') return parameters;
  if (parameters.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(parameters);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through to the message below
  }
  return 'ERROR: "parameters" must be a JSON object (or a string holding one), e.g. {"message": "hi"}.';
}

export async function invokeCommand(
  gateway: Gateway,
  args: InvokeCommandArgs,
  access: Access,
): Promise<CallToolResult> {
  gateway.touch();
  const upstream = resolveServer(gateway, args.server, access);
  if (!(upstream instanceof Upstream)) return upstream;
  return callOnUpstream(gateway, upstream, args.command, parametersOf(args), access);
}

/** Policy, then existence, then the call; shared by invoke_command and direct tools. */
export async function callOnUpstream(
  gateway: Gateway,
  upstream: Upstream,
  command: string,
  params: Record<string, unknown> | string,
  access: Access,
): Promise<CallToolResult> {
  if (typeof params === 'string') return text(params, true);
  const unavailable = upstream.unavailableReason();
  if (unavailable) return text(`ERROR: ${unavailable}`, true);
  const decision = decidePermission(upstream.config, gateway.config.permissions, command);
  if (decision.action === 'deny') {
    return blockedResult(upstream.name, command, decision, {
      configPath: gateway.config.path,
      pid: gateway.pid,
    });
  }
  const call = () =>
    upstream.callTool(command, params, { signal: access.signal, onProgress: access.onProgress });
  try {
    const known = upstream.cachedTools();
    if (known)
      return known.some((t) => t.name === command)
        ? await call()
        : unknownCommand(gateway, upstream, command, known);
    // Cold: call first and list only if the call failed. Policy needs only the name, and a
    // tools/list before every first call would be a round trip on the start-up path.
    let outcome: CallToolResult | DownstreamError;
    try {
      outcome = await call();
      if (!outcome.isError) {
        // Fill the cache behind the answer: list_commands after an idle stop needs no restart.
        void upstream.listTools().catch(() => {});
        return outcome;
      }
    } catch (err) {
      // Only an answer from the server can mean "no such tool"; a timeout or crash is just that.
      if (!(err instanceof DownstreamError && err.rpc)) throw err;
      outcome = err;
    }
    const tools = await upstream.listTools({ signal: access.signal });
    if (!tools.some((t) => t.name === command)) return unknownCommand(gateway, upstream, command, tools);
    if (outcome instanceof Error) throw outcome;
    return outcome;
  } catch (err) {
    return errorResult(err);
  }
}

function unknownCommand(
  gateway: Gateway,
  upstream: Upstream,
  command: string,
  tools: readonly DownstreamTool[],
): CallToolResult {
  const valid = tools.filter((t) => !isDenied(gateway, upstream, t.name)).map((t) => t.name);
  return text(
    `ERROR: unknown command "${command}" on server "${upstream.name}". Valid commands: ${valid.join(', ')}`,
    true,
  );
}
