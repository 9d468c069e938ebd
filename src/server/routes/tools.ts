import type { ServerResponse } from 'node:http';
import { Hono } from 'hono';
import type { z } from 'zod';
import { restCallArguments } from '../../audit/arguments-md5.ts';
import { READ_MODES } from '../../engine/read/read-mode.ts';
import { AppError } from '../../errors.ts';
import type { ServerDeps } from '../../pipeline/deps.ts';
import { admitCall, callableTools, invokeTool } from '../../pipeline/invoke.ts';
import type { manifest, toolsPage } from '../api-schemas.ts';
import { TOOLS_PAGE_MAX, toolCallBody, toolsQuery } from '../api-schemas.ts';
import type { HttpEnv } from '../http-env.ts';
import { chargeToken, rateLimited } from '../middleware/auth.ts';
import { describeIssue, parseQuery } from '../parse-input.ts';
import { agentFrom, channelFrom, workspaceFrom } from '../request-scope.ts';

/** The read modes the manifest advertises: the engine's named modes plus line ranges. */
export const MANIFEST_READ_MODES = [...READ_MODES, 'lines:N-M'] as const;

const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

async function readJson(req: { json(): Promise<unknown> }): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new AppError('invalid_request', 'the request body is not valid JSON');
  }
}

/** The body of POST /v1/tools/call, or the 400 naming what is wrong with it. */
function parseCallBody(raw: unknown): z.output<typeof toolCallBody> {
  const parsed = toolCallBody.safeParse(raw);
  if (parsed.success) return parsed.data;
  const args = (raw as { arguments?: unknown } | null)?.arguments;
  if (parsed.error.issues[0]?.path[0] === 'arguments') {
    throw new AppError(
      'invalid_arguments',
      `arguments must be a JSON object of the tool's arguments, got ${typeName(args)}`,
    );
  }
  throw new AppError(
    'invalid_request',
    `${describeIssue(parsed.error)}; the body is {"name", "arguments"?, "workspaceId"?, "channelId"?, "contextId"?}`,
  );
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
      readModes: [...MANIFEST_READ_MODES],
      execution: await executionOf(deps),
      limits: {
        maxBodyBytes: cfg.maxBodyBytes,
        maxConcurrency: cfg.maxConcurrency,
        maxRps: cfg.maxRps,
        rateBurst: cfg.rateBurst,
        requestTimeoutMs: cfg.requestTimeoutMs,
      },
    } satisfies z.output<typeof manifest>);
  });

  app.get('/tools', (c) => {
    const q = parseQuery(toolsQuery, c.req.query());
    const tools = callableTools(deps, c.get('caller'), deps.registry.all());
    const offset = Math.min(q.offset, tools.length);
    const limit = Math.min(q.limit, TOOLS_PAGE_MAX);
    const page = { tools: tools.slice(offset, offset + limit), total: tools.length, offset, limit };
    return c.json(page satisfies z.output<typeof toolsPage>);
  });

  // The token's rate bucket is spent here, not in requireToken: with Redis, in the same script
  // run that reads the call's workflow generation and read state (see admitCall).
  app.post('/tools/call', async (c) => {
    const caller = c.get('caller');
    let body: z.output<typeof toolCallBody>;
    try {
      body = parseCallBody(await readJson(c.req));
    } catch (err) {
      // a refused body spends the token's bucket too, as every other request does
      await chargeToken(deps, caller);
      throw err;
    }
    const outgoing = c.env?.outgoing;
    // The body names this one call's workspace, so it wins over the header (as in the original).
    const workspaceId = body.workspaceId ?? workspaceFrom(c);
    const contextId = body.contextId ?? c.req.header('x-leanctx-context');
    const admitted = await admitCall(deps, { caller, workspaceId, contextId }, 1);
    if (!admitted.rate.ok) throw rateLimited(admitted.rate.retryAfterSec, `token "${caller.tokenId}"`);
    const result = await invokeTool(deps, {
      caller,
      requestId: c.get('requestId'),
      method: '/v1/tools/call',
      name: body.name,
      args: body.arguments ?? {},
      auditArguments: (ws) =>
        restCallArguments(body.arguments ?? undefined, {
          workspaceId: ws.id,
          workspaceKnown: ws.known,
          bodyChannelId: body.channelId,
          tokenId: caller.tokenId,
        }),
      workspaceId,
      channelId: channelFrom(c, body.channelId),
      contextId,
      agentName: agentFrom(c),
      admitted,
      // on node, the socket's close event: `c.req.raw.signal` would build an AbortController
      ...(outgoing
        ? { watchClient: (onGone) => watchClose(outgoing, onGone) }
        : { signal: c.req.raw.signal }),
    });
    return c.json({ result });
  });

  return app;
}
