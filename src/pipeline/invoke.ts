import { argumentsMd5 } from '../audit/arguments-md5.ts';
import type { Scope } from '../auth/scopes.ts';
import { archiveOf } from '../engine/archive.ts';
import { contextScope } from '../engine/read/cache.ts';
import type { Workspace } from '../engine/workspace.ts';
import { AppError } from '../errors.ts';
import {
  type CallToolResult,
  isReadOnlyCall,
  requiredScopes,
  type Tool,
  type ToolContext,
  type ToolOutcome,
} from '../tools/define-tool.ts';
import type { ToolInfo } from '../tools/registry.ts';
import type { Admitted } from './admission.ts';
import {
  chargedBeforeAnswer,
  chargeServed,
  checkBudget,
  recordServedCall,
  servedTokens,
  statusOf,
} from './budget.ts';
import type { ServerDeps } from './deps.ts';
import { readPathOf } from './read-path.ts';
import type { Caller } from './team-state.ts';
import { checkWorkflow } from './workflow-gate.ts';

export interface CallRequest {
  caller: Caller;
  requestId: string;
  /** The audit line's method: "/v1/tools/call" (REST), "tools/call" (MCP) or "ctx_call" (nested). */
  method: string;
  name: string;
  args: unknown;
  /** What the audit line's argumentsMd5 hashes, when not `args` (see audit/arguments-md5.ts). */
  auditArguments?: (workspace: { id: string; known: boolean }) => unknown;
  workspaceId: string | undefined;
  channelId: string | undefined;
  contextId: string | undefined;
  /** `x-leanctx-agent` or the MCP clientInfo.name; the token id when undefined. */
  agentName?: string | undefined;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
  /**
   * Instead of `signal` (REST, where building an AbortSignal per request costs more than
   * a small call): calls `onGone` once the client goes away; returns the unsubscribe.
   */
  watchClient?: (onGone: () => void) => () => void;
  /** A call made by another tool (ctx_call): it already holds a concurrency slot. */
  nested?: boolean;
  /** What its route learned when it admitted the call (REST); else invokeTool asks, free of charge. */
  admitted?: Admitted;
}

const REF_KEYS = ['path', 'action', 'key', 'name', 'mode', 'category', 'query', 'pattern'] as const;

/**
 * The references an event may carry to every subscriber: names and paths from the validated
 * arguments, short and printable, never content.
 */
function refsOf(tool: string, args: Record<string, unknown>): Record<string, unknown> {
  const refs: Record<string, unknown> = { tool };
  for (const key of REF_KEYS) {
    const v = args[key];
    if (typeof v === 'string' && v.length <= 200 && /^\P{Cc}*$/u.test(v)) refs[key] = v;
  }
  return refs;
}

/**
 * Archives this call made are in the shared store before its answer names their ids, so any
 * replica can expand them. A failed write keeps the answer (the id still expands here) and is
 * retried with the next call's.
 */
async function shareArchives(deps: ServerDeps, ws: Workspace, requestId: string): Promise<void> {
  try {
    await archiveOf(ws).flush();
  } catch (err) {
    deps.logger.error('archive not shared with other replicas; retried with the next call', {
      requestId,
      workspaceId: ws.id,
      error: String(err),
    });
  }
}

/** The workspace a call runs in, after the token's workspace list is checked. */
export function resolveWorkspace(deps: ServerDeps, caller: Caller, requested: string | undefined): Workspace {
  const id = requested ?? deps.state.config().defaultWorkspaceId;
  const ws = deps.state.workspace(id);
  if (!ws) {
    const known = deps.state.workspaces().map((w) => w.id);
    throw new AppError(
      'unknown_workspace',
      `workspace "${id}" is not configured; known: ${known.join(', ')}`,
      {
        workspaceId: id,
        known,
      },
    );
  }
  if (caller.workspaces && !caller.workspaces.includes(id)) {
    throw new AppError('workspace_denied', `token "${caller.tokenId}" may not use workspace "${id}"`, {
      workspaceId: id,
      allowed: caller.workspaces,
    });
  }
  return ws;
}

/**
 * Asks the shared state what the call needs before it runs, in one round trip with Redis:
 * `cost` tokens of the caller's rate bucket (0 when its request already paid), the
 * workspace's workflow generation and the context's read-state sequence number.
 */
export function admitCall(
  deps: ServerDeps,
  req: Pick<CallRequest, 'caller' | 'workspaceId' | 'contextId'>,
  cost: number,
): Promise<Admitted> {
  const id = req.workspaceId ?? deps.state.config().defaultWorkspaceId;
  const known = deps.state.workspace(id) !== undefined;
  return deps.admission.admit({
    tokenId: req.caller.tokenId,
    cost,
    workspaceId: known ? id : undefined,
    readScope: deps.readState ? contextScope(req.caller.tokenId, req.contextId) : undefined,
  });
}

/** The tools a caller may call, as listed by manifest, tools/list and ctx_discover_tools. */
export function callableTools(deps: ServerDeps, caller: Caller, tools: readonly Tool[]): ToolInfo[] {
  return tools
    .filter((t) => caller.scopes.has(t.scope) && (!t.exec || caller.scopes.has('exec')))
    .map((t) => deps.registry.info(t));
}

function refuse(tool: Tool, caller: Caller, needed: readonly Scope[]): AppError {
  const missing = needed.filter((s) => !caller.scopes.has(s));
  return new AppError(
    'scope_denied',
    `token "${caller.tokenId}" lacks scope ${missing.map((s) => `"${s}"`).join(', ')} needed by ${tool.name}`,
    { required: needed, missing, tool: tool.name },
  );
}

/**
 * Scope check and argument validation in one parse. A caller without the tool's base scope
 * is refused before it learns anything about the arguments.
 */
function authorize(deps: ServerDeps, tool: Tool, rawArgs: unknown, caller: Caller, ws: Workspace) {
  if (!caller.scopes.has(tool.scope) && !tool.scopesFor) throw refuse(tool, caller, [tool.scope]);
  const args = deps.registry.validate(tool, rawArgs);
  const needed: Scope[] = requiredScopes(tool, args);
  if (needed.some((s) => !caller.scopes.has(s))) throw refuse(tool, caller, needed);
  if (tool.exec && !ws.allowExec) {
    throw new AppError(
      'scope_denied',
      `${tool.name} runs code or writes files; workspace "${ws.id}" does not set allowExec: true`,
      { required: ['exec'], tool: tool.name },
    );
  }
  return args;
}

/**
 * One tool call, the same for REST, MCP and nested calls: tool and workspace lookup, scope
 * check, budget, concurrency cap, timeout with cancellation, then usage, audit, metrics and
 * events. Throws AppError for every refusal; a tool's own failure is an `isError` result.
 */
export async function invokeTool(deps: ServerDeps, req: CallRequest): Promise<CallToolResult> {
  const started = performance.now();
  const config = deps.state.config();
  const channelId = req.channelId ?? 'main';
  let workspaceId: string | null = req.workspaceId ?? config.defaultWorkspaceId;
  let status = 200;
  let denied: string | null = null;
  let releaseSlot: (() => void) | undefined;
  // work: the tool's own promise; a timed-out call keeps its slot until it settles.
  const run: RunState = { work: undefined, clientGone: false, emitted: [], answered: false };
  try {
    const tool = deps.registry.get(req.name);
    if (!tool) {
      throw new AppError(
        'unknown_tool',
        `no tool named "${req.name}"; GET /v1/tools or tools/list shows them`,
        {
          tool: req.name,
        },
      );
    }
    const ws = resolveWorkspace(deps, req.caller, req.workspaceId);
    workspaceId = ws.id;
    const args = authorize(deps, tool, req.args, req.caller, ws);
    // A nested call's gate is read from the store: its outer call may have just changed it.
    const admitted = req.nested ? undefined : (req.admitted ?? (await admitCall(deps, req, 0)));
    await checkWorkflow(
      deps,
      tool.name,
      ws.id,
      req.caller.tokenId,
      req.contextId,
      admitted?.workflowGeneration,
    );
    if (!req.nested) await checkBudget(deps, req.caller, tool.name, args);
    if (!req.nested) {
      if (deps.inFlight.count >= config.maxConcurrency) {
        throw new AppError(
          'overloaded',
          `the server is running ${config.maxConcurrency} tool calls; retry shortly`,
          {
            retryAfter: 1,
            maxConcurrency: config.maxConcurrency,
          },
        );
      }
      releaseSlot = takeSlot(deps);
    }
    await deps.presence.arrive(ws.id, channelId, req.agentName ?? req.caller.tokenId, req.caller.tokenId);
    // Replicas share what each context was sent, so its stubs stay honest wherever it lands.
    const readScope =
      deps.readState && !req.nested ? contextScope(req.caller.tokenId, req.contextId) : undefined;
    if (readScope !== undefined) await deps.readState?.pull(ws, readScope, admitted?.readStateSeq);
    if (deps.store.archives) archiveOf(ws).shareTo(deps.store.archives);
    let outcome = await runWithTimeout(deps, tool, args, ws, req, channelId, config.requestTimeoutMs, run);
    // The answer waits for the events the call emitted: a write is not acknowledged before its event is stored.
    const emitted = eventsStored(deps, run, req.requestId);
    if (readScope !== undefined) await deps.readState?.push(ws, readScope);
    if (deps.store.archives) await shareArchives(deps, ws, req.requestId);
    // A caller with a budget is charged before the answer leaves, so the answer can warn it.
    let charged: number | undefined;
    if (!req.nested && chargedBeforeAnswer(deps, req.caller)) {
      charged = await servedTokens(outcome.result);
      const warning = await chargeServed(deps, req.caller, { workspaceId: ws.id, channelId }, charged).catch(
        (err: unknown) => void deps.logger.error('budget charge failed', { error: String(err) }),
      );
      if (warning) {
        const content = [...outcome.result.content, { type: 'text' as const, text: warning }];
        outcome = { ...outcome, result: { ...outcome.result, content } };
      }
    }
    const unstored = await emitted;
    if (unstored) {
      const content = [
        ...outcome.result.content,
        { type: 'text' as const, text: unstoredNote(unstored, channelId) },
      ];
      outcome = { ...outcome, result: { ...outcome.result, content } };
    }
    const { result } = outcome;
    const durationMs = performance.now() - started;
    deps.metrics.toolCalls.inc({ tool: tool.name, outcome: result.isError ? 'tool_error' : 'ok' });
    deps.metrics.toolDuration.observe({ tool: tool.name }, durationMs / 1000);
    if (!result.isError && requiredScopes(tool, args).includes('index')) deps.metrics.slo.recordIndexWrite();
    // Counting tokens of a large answer takes milliseconds: do the bookkeeping after the reply.
    const call = { tool: tool.name, readOnly: isReadOnlyCall(tool, args), durationMs };
    setImmediate(() => {
      recordCall(deps, req, ws.id, channelId, call, args, outcome, charged).catch((err: unknown) =>
        deps.logger.error('recording a tool call failed', { requestId: req.requestId, error: String(err) }),
      );
    });
    return result;
  } catch (err) {
    // a call that timed out may still have written: its events are logged if lost
    if (!run.answered) void eventsStored(deps, run, req.requestId);
    const clientGone = !(err instanceof AppError) && (run.clientGone || req.signal?.aborted === true);
    const appErr =
      err instanceof AppError
        ? err
        : clientGone
          ? new AppError('invalid_request', 'the client closed the connection before the answer was ready')
          : new AppError('internal_error', undefined, { requestId: req.requestId });
    if (clientGone) deps.logger.debug('client went away during a tool call', { requestId: req.requestId });
    else if (!(err instanceof AppError)) {
      deps.logger.error('tool call failed', { requestId: req.requestId, tool: req.name, error: String(err) });
    }
    status = appErr.status;
    denied = appErr.code;
    appErr.audited = true;
    // A label value lives as long as the process: only registered names become one.
    const label = deps.registry.get(req.name) ? req.name : 'unknown';
    deps.metrics.toolCalls.inc({ tool: label, outcome: appErr.code });
    throw appErr;
  } finally {
    run.answered = true;
    if (releaseSlot) {
      if (run.work) void run.work.then(releaseSlot, releaseSlot);
      else releaseSlot();
    }
    deps.audit.write({
      ts: new Date(deps.now()).toISOString(),
      requestId: req.requestId,
      tokenId: req.caller.tokenId,
      workspaceId,
      channelId,
      tool: req.name,
      method: req.method,
      allowed: denied === null,
      deniedReason: denied,
      argumentsMd5: argumentsMd5(
        req.auditArguments
          ? req.auditArguments({ id: workspaceId, known: deps.state.workspace(workspaceId) !== undefined })
          : req.args,
      ),
      status,
      durationMs: Math.round((performance.now() - started) * 100) / 100,
      ...(run.exitCode !== undefined ? { exitCode: run.exitCode } : {}),
    });
  }
}

/** Takes a concurrency slot; the returned function gives it back (once). */
function takeSlot(deps: ServerDeps): () => void {
  deps.inFlight.count++;
  deps.metrics.toolsInFlight.set(deps.inFlight.count);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    deps.inFlight.count--;
    deps.metrics.toolsInFlight.set(deps.inFlight.count);
  };
}

/**
 * Usage (for ctx_metrics and budgets) and the `tool_call_recorded` event of a finished call.
 * Saved tokens are the figures the tool measured and returned, never read from its text.
 */
async function recordCall(
  deps: ServerDeps,
  req: CallRequest,
  workspaceId: string,
  channelId: string,
  call: { tool: string; readOnly: boolean; durationMs: number },
  args: Record<string, unknown>,
  { result, tokensRaw, tokensSaved }: ToolOutcome,
  /** Tokens already counted and charged before the answer, if they were. */
  charged: number | undefined,
): Promise<void> {
  const { tool, durationMs } = call;
  // a large answer is counted on a worker thread; one that cannot be counted is estimated
  const tokensSent = charged ?? (await servedTokens(result));
  const isError = result.isError === true;
  const dropped = (record: 'usage' | 'event') => (err: unknown) => {
    deps.metrics.recordsDropped.inc({ record });
    deps.logger.error('recording a tool call failed', {
      requestId: req.requestId,
      record,
      error: String(err),
    });
  };
  // what a nested call served is part of its outer call's answer, charged there
  if (charged === undefined && !req.nested) recordServedCall(deps, req.caller, workspaceId, tokensSent);
  deps.store.usage
    .record({
      workspaceId,
      agentId: req.caller.tokenId,
      contextId: req.contextId,
      tool,
      tokensSent,
      tokensSaved,
      durationMs,
      isError,
      tokensRaw,
      path: readPathOf(tool, args),
    })
    .catch(dropped('usage'));
  deps.hub
    .publish({
      workspaceId,
      channelId,
      kind: 'tool_call_recorded',
      actor: req.caller.tokenId,
      payload: {
        ...refsOf(tool, args),
        isError,
        readOnly: call.readOnly,
        tokensSent,
        tokensRaw,
        tokensSaved,
      },
    })
    .catch(dropped('event'));
  // The original lean-ctx clients watch for this kind after a knowledge write; ours is knowledge_changed.
  const knowledgeTool = tool === 'ctx_knowledge' || tool === 'ctx_knowledge_relations';
  if (!isError && knowledgeTool && KNOWLEDGE_WRITES.has(String(args.action))) {
    deps.hub
      .publish({
        workspaceId,
        channelId,
        kind: 'knowledge_remembered',
        actor: req.caller.tokenId,
        payload: refsOf(tool, args),
      })
      .catch(dropped('event'));
  }
}

/** The ctx_knowledge actions after which the original emitted `knowledge_remembered`. */
const KNOWLEDGE_WRITES = new Set([
  'remember',
  'relate',
  'unrelate',
  'feedback',
  'remove',
  'consolidate',
  'import',
]);

/** What the caller of runWithTimeout learns besides the outcome. */
interface RunState {
  /** The tool's promise, once started. */
  work: Promise<unknown> | undefined;
  /** The client went away before the answer. */
  clientGone: boolean;
  /** The exit code of a command the call ran (ctx_shell), for its audit line. */
  exitCode?: number | null;
  /** Events the tool emitted before its answer: each settles with undefined once stored, else its error. */
  emitted: { kind: string; stored: Promise<unknown> }[];
  /** The call has answered (or was refused): later emits are not waited for. */
  answered: boolean;
}

/** An event the answer waited for that the store did not take. */
interface UnstoredEvent {
  kind: string;
  error: unknown;
}

/**
 * Waits for the events the call emitted. One the store did not take after its retries is
 * logged and counted; the call's own write stands, so the answer keeps its result and says
 * which event is missing (unstoredNote) instead of failing a write that happened.
 */
async function eventsStored(
  deps: ServerDeps,
  run: RunState,
  requestId: string,
): Promise<UnstoredEvent[] | undefined> {
  run.answered = true;
  if (run.emitted.length === 0) return undefined;
  const settled = await Promise.all(run.emitted.map(async (e) => ({ kind: e.kind, error: await e.stored })));
  const unstored = settled.filter((e) => e.error !== undefined);
  if (unstored.length === 0) return undefined;
  for (const e of unstored) {
    deps.metrics.recordsDropped.inc({ record: 'event' });
    deps.logger.error('event of an acknowledged write not stored', {
      requestId,
      kind: e.kind,
      error: String(e.error),
    });
  }
  return unstored;
}

function unstoredNote(unstored: readonly UnstoredEvent[], channelId: string): string {
  const kinds = [...new Set(unstored.map((e) => e.kind))].join(', ');
  const reason = String(unstored[0]?.error instanceof Error ? unstored[0].error.message : unstored[0]?.error);
  return `note: the write above was applied, but its ${kinds} event could not be recorded (${reason}); subscribers of channel "${channelId}" will not see it. Do not repeat the write.`;
}

async function runWithTimeout(
  deps: ServerDeps,
  tool: Tool,
  args: Record<string, unknown>,
  ws: Workspace,
  req: CallRequest,
  channelId: string,
  timeoutMs: number,
  run: RunState,
): Promise<ToolOutcome> {
  const controller = new AbortController();
  const onClientAbort = () => {
    run.clientGone = true;
    controller.abort(new Error('client went away'));
  };
  req.signal?.addEventListener('abort', onClientAbort, { once: true });
  const stopWatching = req.watchClient?.(onClientAbort);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new Error('request timeout'));
      reject(
        new AppError('request_timeout', `${tool.name} took longer than ${timeoutMs} ms and was cancelled`, {
          timeoutMs,
        }),
      );
    }, timeoutMs);
    timer.unref();
  });
  const ctx: ToolContext = {
    workspace: ws,
    channelId,
    agentId: req.caller.tokenId,
    agentName: req.agentName ?? req.caller.tokenId,
    presence: deps.presence,
    contextId: req.contextId,
    scopes: req.caller.scopes,
    signal: controller.signal,
    store: deps.store,
    budget: () => statusOf(deps, req.caller),
    gateway: deps.gateway,
    downstreamServers: req.caller.servers,
    providers: deps.state.config().providers,
    reportExit: (code) => {
      run.exitCode = code;
    },
    listTools: () => callableTools(deps, req.caller, deps.registry.all()),
    noteRead: noteReadOf(deps, ws.id, req, tool.name),
    callTool: (name, args) =>
      invokeTool(deps, {
        ...req,
        method: 'ctx_call',
        name,
        args,
        workspaceId: ws.id,
        channelId,
        nested: true,
        signal: controller.signal,
      }),
    emit(kind, payload) {
      const event = { workspaceId: ws.id, channelId, kind, actor: req.caller.tokenId, payload };
      if (run.answered) {
        // work the call left running (a build in the background): nobody waits for it
        void deps.hub.publish(event).catch((err: unknown) => {
          deps.metrics.recordsDropped.inc({ record: 'event' });
          deps.logger.error('event append failed', { requestId: req.requestId, kind, error: String(err) });
        });
        return;
      }
      const stored = deps.hub.publish(event, { awaited: true }).then(
        () => undefined,
        (err: unknown) => err ?? new Error('event append failed'),
      );
      run.emitted.push({ kind, stored });
    },
  };
  try {
    const work = deps.registry.execute(tool, args, ctx);
    run.work = work;
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
    stopWatching?.();
    req.signal?.removeEventListener('abort', onClientAbort);
  }
}

/** Where a call's reads go as evidence of its context; a call without a context keeps none. */
function noteReadOf(
  deps: ServerDeps,
  workspaceId: string,
  req: CallRequest,
  tool: string,
): ToolContext['noteRead'] {
  const contextId = req.contextId;
  if (contextId === undefined) return undefined;
  return (read) => {
    deps.store.evidence
      .recordRead({ ...read, workspaceId, contextId, agentId: req.caller.tokenId, tool })
      .catch((err: unknown) => deps.logger.error('recording read evidence failed', { error: String(err) }));
  };
}
