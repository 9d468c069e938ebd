import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { z } from 'zod';
import { restCallArguments } from '../../audit/arguments-md5.ts';
import { READ_MODES } from '../../engine/read/read-mode.ts';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { callableTools, invokeTool } from '../../pipeline/invoke.ts';
import type { HttpEnv } from '../http-env.ts';
import { agentFrom, channelFrom, workspaceFrom } from '../request-scope.ts';

/** The read modes the manifest advertises: the engine's named modes plus line ranges. */
const MANIFEST_READ_MODES = [...READ_MODES, 'lines:N-M'] as const;

const callBody = z.strictObject({
  name: z.string().min(1),
  arguments: z.record(z.string(), z.unknown()).optional(),
  workspaceId: z.string().optional(),
  channelId: z.string().min(1).max(128).optional(),
  contextId: z.string().min(1).max(256).optional(),
});

async function readJson(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError('invalid_request', 'the request body is not valid JSON');
  }
}

/** Calls `onGone` if the response closes before it was sent in full (the client left). */
function watchClose(outgoing: ServerResponse, onGone: () => void): () => void {
  const onClose = () => {
    if (!outgoing.writableFinished) onGone();
  };
  outgoing.once('close', onClose);
  return () => outgoing.off('close', onClose);
}

/** Whether ctx_execute is sandboxed here, probed once; only asked when a workspace allows exec. */
async function executionOf(deps: ServerDeps) {
  if (!deps.state.workspaces().some((w) => w.allowExec))
    return { sandboxed: null, detail: 'no workspace sets allowExec' };
  const { sandboxStatus } = await import('../../engine/sandbox/sandbox.ts');
  const s = await sandboxStatus();
  return { sandboxed: s.sandboxed, method: s.method, processCap: s.processCap, detail: s.detail };
}

export function toolRoutes(deps: ServerDeps): Hono<HttpEnv> {
  const app = new Hono<HttpEnv>();

  app.get('/manifest', async (c) => {
    const caller = c.get('caller');
    const cfg = deps.state.config();
    const tools = callableTools(deps, caller, deps.registry.all());
    return c.json({
      name: 'leanctx',
      version: deps.version,
      token: { id: caller.tokenId, scopes: [...caller.scopes] },
      defaultWorkspaceId: cfg.defaultWorkspaceId,
      workspaces: deps.state
        .workspaces()
        .filter((w) => !caller.workspaces || caller.workspaces.includes(w.id))
        .map((w) => ({ id: w.id, label: w.label })),
      toolSurface: cfg.toolSurface,
      toolCount: tools.length,
      tools: tools.map((t) => ({ ...t, requiredScope: t.scope })),
      readModes: MANIFEST_READ_MODES,
      execution: await executionOf(deps),
      limits: {
        maxBodyBytes: cfg.maxBodyBytes,
        maxConcurrency: cfg.maxConcurrency,
        maxRps: cfg.maxRps,
        rateBurst: cfg.rateBurst,
        requestTimeoutMs: cfg.requestTimeoutMs,
      },
    });
  });

  app.get('/tools', (c) => {
    const offset = Number(c.req.query('offset') ?? 0);
    const limit = Number(c.req.query('limit') ?? 100);
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new AppError(
        'invalid_request',
        'offset must be an integer ≥ 0 and limit an integer from 1 to 500',
      );
    }
    const tools = callableTools(deps, c.get('caller'), deps.registry.all());
    return c.json({ tools: tools.slice(offset, offset + limit), total: tools.length, offset, limit });
  });

  app.post('/tools/call', async (c) => {
    const parsed = callBody.safeParse(await readJson(c.req));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') || '(body)';
      throw new AppError(
        'invalid_request',
        `${where}: ${issue?.code === 'unrecognized_keys' ? `unknown key ${issue.keys.join(', ')}` : issue?.message}; the body is {"name", "arguments"?, "workspaceId"?, "channelId"?, "contextId"?}`,
      );
    }
    const body = parsed.data;
    const caller = c.get('caller');
    const outgoing = c.env?.outgoing;
    const workspaceId = workspaceFrom(c, body.workspaceId);
    const result = await invokeTool(deps, {
      caller,
      requestId: c.get('requestId'),
      method: '/v1/tools/call',
      name: body.name,
      args: body.arguments ?? {},
      auditArguments: (ws) =>
        restCallArguments(body.arguments, {
          workspaceId: ws.id,
          workspaceKnown: ws.known,
          bodyChannelId: body.channelId,
          tokenId: caller.tokenId,
        }),
      workspaceId,
      channelId: channelFrom(c, body.channelId),
      contextId: body.contextId ?? c.req.header('x-leanctx-context'),
      agentName: agentFrom(c),
      // on node, the socket's close event: `c.req.raw.signal` would build an AbortController
      ...(outgoing
        ? { watchClient: (onGone) => watchClose(outgoing, onGone) }
        : { signal: c.req.raw.signal }),
    });
    return c.json({ result });
  });

  return app;
}
