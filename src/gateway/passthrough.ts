import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  CompleteResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  ListPromptsRequestSchema,
  ListPromptsResultSchema,
  ListResourcesRequestSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesRequestSchema,
  ListResourceTemplatesResultSchema,
  type LoggingLevel,
  LoggingLevelSchema,
  McpError,
  type Prompt,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  type ServerCapabilities,
  type ServerNotification,
  SetLevelRequestSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Access, Gateway } from './gateway.ts';
import type { GatewayLogger } from './logger.ts';
import { relayProgress } from './progress-relay.ts';
import { ResourceRoutes } from './resource-routes.ts';
import { namespacedToolName } from './tool-names.ts';
import { DownstreamError, type Upstream } from './upstream.ts';

/** What a direct-mode session declares: the gateway forwards all of it to downstream servers. */
export const PASSTHROUGH_CAPABILITIES = {
  resources: { subscribe: true, listChanged: true },
  prompts: { listChanged: true },
  logging: {},
  completions: {},
} as const satisfies ServerCapabilities;

/** Pages read from one server for one listing; a server that pages forever is cut off. */
const MAX_PAGES = 100;
const SEVERITY = LoggingLevelSchema.options;

type Feature = 'resources' | 'prompts' | 'logging' | 'completions';

export interface PassthroughOptions {
  gateway: Gateway;
  access: Access;
  logger: GatewayLogger;
  /** Whether this session sees downstream servers directly (direct mode, or auto gone direct). */
  isDirect(): Promise<boolean>;
}

/** A JSON-RPC error passed on with the downstream code and message, byte for byte. */
class ForwardedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'ForwardedError';
  }
}

/** A downstream failure as the JSON-RPC error a client of that server would have seen. */
function toMcpError(err: unknown): Error {
  if (err instanceof McpError || err instanceof ForwardedError) return err;
  if (err instanceof DownstreamError && err.rpc)
    return new ForwardedError(err.rpc.code, err.rpc.message, err.rpc.data);
  return new McpError(ErrorCode.InternalError, err instanceof Error ? err.message : String(err));
}

async function allPages<S extends z.ZodType, T>(
  upstream: Upstream,
  method: string,
  schema: S,
  items: (page: z.output<S>) => { list: T[]; next: string | undefined },
  signal: AbortSignal,
): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = items(await upstream.request(method, cursor ? { cursor } : {}, schema, { signal }));
    out.push(...page.list);
    cursor = page.next;
  } while (cursor && ++pages < MAX_PAGES);
  return out;
}

/**
 * Forwards resources, prompts, completion and logging between one client session and the
 * downstream servers, and relays their notifications. Names: prompts are `<server>__<prompt>`
 * like tools; resource URIs pass through unchanged and are routed by who listed them.
 * Returns the clean-up for when the session closes.
 */
export function installPassthrough(server: Server, opts: PassthroughOptions): () => Promise<void> {
  const { gateway, access, logger } = opts;
  const routes = new ResourceRoutes();
  const prompts = new Map<string, { server: string; prompt: string }>();
  /** `<server>\0<uri>` → the upstream this session subscribed through. */
  const subscribed = new Map<string, Upstream>();
  const session = {};
  let level: LoggingLevel | undefined;
  let direct = gateway.config.mode === 'direct';

  const isDirect = async () => {
    direct = await opts.isDirect();
    return direct;
  };
  const upstreamNamed = (name: string | undefined) => gateway.visibleUpstream(name, access);

  /** The usable servers that offer a feature (starting them to ask), in configuration order. */
  const offering = async (feature: Feature, signal: AbortSignal, subscribe = false): Promise<Upstream[]> => {
    const usable = gateway.visible(access).filter((u) => u.unavailableReason() === undefined);
    const caps = await Promise.all(
      usable.map((u) =>
        u.capabilities({ signal }).catch((err: Error) => {
          logger.error('downstream server left out', { server: u.name, feature, error: err.message });
          return undefined;
        }),
      ),
    );
    return usable.filter((_, i) => {
      const c = caps[i];
      return subscribe ? Boolean(c?.resources?.subscribe) : Boolean(c?.[feature]);
    });
  };

  /** One listing per server; a server that fails is logged and left out, like tools. */
  const fromEach = async <T>(feature: Feature, signal: AbortSignal, list: (u: Upstream) => Promise<T[]>) => {
    const lists = await Promise.all(
      (await offering(feature, signal)).map((u) =>
        list(u).catch((err: Error) => {
          logger.error('downstream listing failed', { server: u.name, feature, error: err.message });
          return [] as T[];
        }),
      ),
    );
    return lists.flat();
  };

  /** The owner of a URI if known, else every candidate in order: the first that answers wins. */
  const firstToAnswer = async <T>(
    uri: string,
    candidates: Upstream[],
    run: (u: Upstream) => Promise<T>,
  ): Promise<{ upstream: Upstream; result: T }> => {
    const owner = candidates.find((u) => u.name === routes.ownerOf(uri));
    const order = owner ? [owner] : candidates;
    if (order.length === 0) {
      throw new McpError(ErrorCode.InvalidParams, `No downstream server offers resource "${uri}"`);
    }
    let firstError: unknown;
    for (const upstream of order) {
      try {
        return { upstream, result: await run(upstream) };
      } catch (err) {
        firstError ??= err;
      }
    }
    throw toMcpError(firstError);
  };

  const notDirect = () =>
    new McpError(
      ErrorCode.InvalidRequest,
      'This gateway shows meta-tools (lazy mode); resources and prompts are forwarded only in direct mode',
    );

  server.setRequestHandler(ListResourcesRequestSchema, async (_req, extra) => {
    if (!(await isDirect())) return { resources: [] };
    const resources = await fromEach('resources', extra.signal, async (u) => {
      const list = await allPages(
        u,
        'resources/list',
        ListResourcesResultSchema,
        (p) => ({ list: p.resources, next: p.nextCursor }),
        extra.signal,
      );
      routes.learnResources(
        u.name,
        list.map((r) => r.uri),
      );
      return list;
    });
    return { resources };
  });

  server.setRequestHandler(ListResourceTemplatesRequestSchema, async (_req, extra) => {
    if (!(await isDirect())) return { resourceTemplates: [] };
    const resourceTemplates = await fromEach('resources', extra.signal, async (u) => {
      const list = await allPages(
        u,
        'resources/templates/list',
        ListResourceTemplatesResultSchema,
        (p) => ({ list: p.resourceTemplates, next: p.nextCursor }),
        extra.signal,
      );
      routes.learnTemplates(
        u.name,
        list.map((t) => t.uriTemplate),
      );
      return list;
    });
    return { resourceTemplates };
  });

  server.setRequestHandler(ReadResourceRequestSchema, async (req, extra) => {
    if (!(await isDirect())) throw notDirect();
    const progress = relayProgress(req.params._meta?.progressToken, extra.sendNotification);
    const { result } = await firstToAnswer(req.params.uri, await offering('resources', extra.signal), (u) =>
      u.request('resources/read', { uri: req.params.uri }, ReadResourceResultSchema, {
        signal: extra.signal,
        onProgress: progress.onProgress,
      }),
    );
    await progress.flush();
    return result;
  });

  server.setRequestHandler(SubscribeRequestSchema, async (req, extra) => {
    if (!(await isDirect())) throw notDirect();
    const uri = req.params.uri;
    if ([...subscribed.keys()].some((k) => k.endsWith(`\0${uri}`))) return {};
    const { upstream } = await firstToAnswer(uri, await offering('resources', extra.signal, true), (u) =>
      u.subscribe(uri, { signal: extra.signal }),
    );
    subscribed.set(`${upstream.name}\0${uri}`, upstream);
    return {};
  });

  server.setRequestHandler(UnsubscribeRequestSchema, async (req, extra) => {
    const uri = req.params.uri;
    for (const [key, upstream] of subscribed) {
      if (!key.endsWith(`\0${uri}`)) continue;
      subscribed.delete(key);
      await upstream.unsubscribe(uri, { signal: extra.signal }).catch((err) => {
        throw toMcpError(err);
      });
    }
    return {};
  });

  const listPrompts = async (signal: AbortSignal): Promise<Prompt[]> => {
    const listed = await fromEach('prompts', signal, async (u) => {
      const list = await allPages(
        u,
        'prompts/list',
        ListPromptsResultSchema,
        (p) => ({ list: p.prompts, next: p.nextCursor }),
        signal,
      );
      return list.map((p) => ({ server: u.name, prompt: p }));
    });
    prompts.clear();
    return listed.map(({ server: owner, prompt }) => {
      const name = namespacedToolName(owner, prompt.name);
      prompts.set(name, { server: owner, prompt: prompt.name });
      return { ...prompt, name, description: `[${owner}] ${prompt.description ?? ''}`.trim() };
    });
  };

  /** The downstream server and prompt behind a listed name (listing again if it is new to us). */
  const resolvePrompt = async (name: string, signal: AbortSignal) => {
    if (!prompts.has(name)) await listPrompts(signal);
    const target = prompts.get(name);
    const upstream = upstreamNamed(target?.server);
    if (!target || !upstream) {
      throw new McpError(
        ErrorCode.InvalidParams,
        `Unknown prompt "${name}"; call prompts/list for the names`,
      );
    }
    return { upstream, prompt: target.prompt };
  };

  server.setRequestHandler(ListPromptsRequestSchema, async (_req, extra) => {
    if (!(await isDirect())) return { prompts: [] };
    return { prompts: await listPrompts(extra.signal) };
  });

  server.setRequestHandler(GetPromptRequestSchema, async (req, extra) => {
    if (!(await isDirect())) throw notDirect();
    const { upstream, prompt } = await resolvePrompt(req.params.name, extra.signal);
    const progress = relayProgress(req.params._meta?.progressToken, extra.sendNotification);
    try {
      const result = await upstream.request(
        'prompts/get',
        { name: prompt, ...(req.params.arguments ? { arguments: req.params.arguments } : {}) },
        GetPromptResultSchema,
        { signal: extra.signal, onProgress: progress.onProgress },
      );
      await progress.flush();
      return result;
    } catch (err) {
      throw toMcpError(err);
    }
  });

  server.setRequestHandler(CompleteRequestSchema, async (req, extra) => {
    if (!(await isDirect())) throw notDirect();
    const { ref, ...rest } = req.params;
    let upstream: Upstream | undefined;
    let downstreamRef: typeof ref = ref;
    if (ref.type === 'ref/prompt') {
      const target = await resolvePrompt(ref.name, extra.signal);
      upstream = target.upstream;
      downstreamRef = { ...ref, name: target.prompt };
    } else {
      upstream = upstreamNamed(routes.ownerOfTemplate(ref.uri) ?? routes.ownerOf(ref.uri));
      upstream ??= (await offering('resources', extra.signal))[0];
    }
    const none = { completion: { values: [], hasMore: false } };
    if (!upstream || !(await upstream.capabilities({ signal: extra.signal })).completions) return none;
    try {
      return await upstream.request(
        'completion/complete',
        { ...rest, ref: downstreamRef },
        CompleteResultSchema,
        {
          signal: extra.signal,
        },
      );
    } catch (err) {
      throw toMcpError(err);
    }
  });

  server.setRequestHandler(SetLevelRequestSchema, async (req) => {
    level = req.params.level;
    await gateway.setClientLogLevel(session, level);
    return {};
  });

  const quiet = (p: Promise<void>) => void p.catch(() => {});
  const unsubscribe = gateway.onNotification((owner: string, n: ServerNotification) => {
    if (!direct || !upstreamNamed(owner)) return;
    switch (n.method) {
      case 'notifications/resources/list_changed':
        return quiet(server.sendResourceListChanged());
      case 'notifications/prompts/list_changed':
        return quiet(server.sendPromptListChanged());
      case 'notifications/resources/updated':
        if (subscribed.has(`${owner}\0${n.params.uri}`)) quiet(server.sendResourceUpdated(n.params));
        return;
      case 'notifications/message':
        if (level && SEVERITY.indexOf(n.params.level) < SEVERITY.indexOf(level)) return;
        return quiet(
          server.notification({
            method: 'notifications/message',
            params: { ...n.params, logger: n.params.logger ?? owner },
          }),
        );
    }
  });

  return async () => {
    unsubscribe();
    const held = [...subscribed];
    subscribed.clear();
    await Promise.all(
      held.map(([key, u]) => u.unsubscribe(key.slice(key.indexOf('\0') + 1)).catch(() => {})),
    );
    await gateway.setClientLogLevel(session, undefined);
  };
}
