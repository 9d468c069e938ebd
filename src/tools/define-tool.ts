import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Scope } from '../auth/scopes.ts';
import type { FileEvidence } from '../engine/read/read-file.ts';
import type { MeasuredText, Savings } from '../engine/savings.ts';
import type { Workspace } from '../engine/workspace.ts';
import type { Gateway } from '../gateway/gateway.ts';
import type { BudgetStatus } from '../governance/budget-status.ts';
import type { AgentPresence } from '../sessions/agent-presence.ts';
import type { Store } from '../store/types.ts';
import type { ToolInfo } from './registry.ts';

export type { CallToolResult, MeasuredText };

/** What the server knows about one call; a client cannot set any of it directly. */
export interface ProviderSettings {
  gitlab?: { url?: string; token?: string };
}

export interface ToolContext {
  workspace: Workspace;
  channelId: string;
  /** The calling token's id (or "local" for the stdio server). */
  agentId: string;
  /** The agent's name on the channel: `x-leanctx-agent`, else MCP clientInfo.name, else the token id. */
  agentName: string;
  /** Who is on the channel; a tool that ends an agent's stay tells it here. */
  presence: AgentPresence;
  /**
   * What this client has already received, for honest caching: the MCP session id, or
   * the REST `contextId`. Undefined means a fresh context on every call.
   */
  contextId: string | undefined;
  /** The caller's scopes, for tools that call other tools or gate parts of their answer. */
  scopes: ReadonlySet<Scope>;
  /** Aborted when the request times out or the client goes away. */
  signal: AbortSignal;
  /** Calls another tool with the same caller, scope checks included (ctx_call). */
  callTool(name: string, args: Record<string, unknown>): Promise<CallToolResult>;
  /** Records an event on the workspace's channel (SSE, session revision). */
  emit(kind: EventKind, payload: Record<string, unknown>): void;
  /** Puts the exit code of a command the call ran on its audit line (null: killed). */
  reportExit?(code: number | null): void;
  /** The tools this caller may call (ctx_discover_tools). */
  listTools(): readonly ToolInfo[];
  /** Durable state: events, token usage (and what later issues add). */
  store: Store;
  /** The caller's budget: limits, use this period, reset time (formatBudgetStatus prints it). */
  budget?: () => Promise<BudgetStatus>;
  /** The team's downstream MCP servers; undefined when team.json has no `servers` block. */
  gateway: Gateway | undefined;
  /** Globs over gateway downstream server names this caller may use; undefined = all. */
  downstreamServers: readonly string[] | undefined;
  /** team.json's `providers` block (ctx_provider); its secrets are still unexpanded. */
  providers?: ProviderSettings;
  /** Records file bytes this call sent from as the context's evidence (ctx_proof); absent without a context. */
  noteRead?: ((read: FileEvidence) => void) | undefined;
}

export const EVENT_KINDS = [
  'tool_call_recorded',
  'session_mutated',
  'knowledge_remembered',
  'knowledge_changed',
  'budget_alert',
  'artifact_stored',
  'graph_built',
  'proof_added',
  'agent_joined',
  'agent_left',
  'agent_message',
  'handoff_created',
  'task_updated',
  'workflow_transition',
  'share_pushed',
  'file_edited',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

// biome-ignore lint/suspicious/noExplicitAny: tool inputs are z.object schemas of any shape
export type AnyObjectSchema = z.ZodObject<any>;

export interface ToolSpec<I extends AnyObjectSchema> {
  name: string;
  /** One or two sentences for the agent: what it does and when to use it. */
  description: string;
  /** The scope a caller needs. */
  scope: Scope;
  /**
   * When the scopes depend on the arguments (a mutating action, an index rebuild): the
   * scopes this call needs, in place of `scope`.
   */
  scopesFor?: (args: z.output<I>) => readonly Scope[];
  input: I;
  /** Listed in the small default surface. */
  core?: boolean;
  /** Runs code or writes files: needs `allowExec` on the workspace and the `exec` scope. */
  exec?: boolean;
  /**
   * Whether a call changes nothing: `true` for every call, or decided per call from its
   * arguments (`(args) => args.action === 'status'`). Absent: calls may write. A listing's
   * readOnlyHint is true only when every call is read-only.
   */
  readOnly?: true | ((args: z.output<I>) => boolean);
  /**
   * Returns text, text with the token figures it measured (`{ text, tokensRaw, tokensSaved }`,
   * what usage records), or a whole result. Throw ToolError for a failure.
   */
  run(args: z.output<I>, ctx: ToolContext): Promise<ToolOutput>;
}

/** What a tool's `run` returns; only a MeasuredText claims savings. */
export type ToolOutput = string | MeasuredText | CallToolResult;

/** A finished call: the result the client receives and the figures the tool measured (0 when it claims none). */
export interface ToolOutcome extends Savings {
  result: CallToolResult;
}

export interface Tool<I extends AnyObjectSchema = AnyObjectSchema> extends ToolSpec<I> {
  readonly kind: 'tool';
}

/** Declares a tool; the registry, REST and MCP all read the same definition. */
export function defineTool<I extends AnyObjectSchema>(spec: ToolSpec<I>): Tool<I> {
  return Object.freeze({ ...spec, kind: 'tool' as const });
}

export function textResult(text: string, isError = false): CallToolResult {
  return isError
    ? { content: [{ type: 'text', text }], isError: true }
    : { content: [{ type: 'text', text }] };
}

/** The outcome of what `run` returned; figures are checked, never taken from the text. */
export function toOutcome(out: ToolOutput): ToolOutcome {
  if (typeof out === 'string') return { result: textResult(out), tokensRaw: 0, tokensSaved: 0 };
  if ('content' in out) return { result: out, tokensRaw: 0, tokensSaved: 0 };
  const count = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n) : 0);
  const tokensRaw = count(out.tokensRaw);
  return {
    result: textResult(out.text),
    tokensRaw,
    tokensSaved: Math.min(tokensRaw, count(out.tokensSaved)),
  };
}

/** Whether a call with these arguments changes nothing. */
export function isReadOnlyCall(tool: Tool, args: Record<string, unknown>): boolean {
  const readOnly = tool.readOnly;
  return typeof readOnly === 'function' ? readOnly(args as z.output<AnyObjectSchema>) : readOnly === true;
}

/** Every scope a call with these arguments needs. */
export function requiredScopes(tool: Tool, args: Record<string, unknown>): Scope[] {
  const base = tool.scopesFor ? tool.scopesFor(args as z.output<AnyObjectSchema>) : [tool.scope];
  const all = new Set<Scope>(base);
  if (tool.exec) all.add('exec');
  return [...all];
}
