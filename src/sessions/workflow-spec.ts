import { z } from 'zod';
import { AppError, ToolError } from '../errors.ts';
import type { WorkflowRun, WorkflowSpec } from '../store/workflows.ts';
import { parseJsonArgument } from './json-argument.ts';
import { SESSION_LIMITS } from './limits.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const nameSchema = z.string().regex(NAME, 'use 1-64 letters, digits, ".", "_" or "-"');

const stateSchema = z.strictObject({
  allowed_tools: z.array(z.string().min(1).max(64)).max(SESSION_LIMITS.specTools).optional(),
  transitions: z.array(nameSchema).max(SESSION_LIMITS.specStates).default([]),
  requires_evidence: z.array(z.string().min(1).max(SESSION_LIMITS.idChars)).max(32).default([]),
});

const specSchema = z
  .strictObject({ name: nameSchema, initial: nameSchema, states: z.record(nameSchema, stateSchema) })
  .superRefine((spec, ctx) => {
    const names = Object.keys(spec.states);
    if (names.length === 0 || names.length > SESSION_LIMITS.specStates) {
      ctx.addIssue({
        code: 'custom',
        path: ['states'],
        message: `give 1 to ${SESSION_LIMITS.specStates} states, got ${names.length}`,
      });
    }
    if (!Object.hasOwn(spec.states, spec.initial)) {
      ctx.addIssue({
        code: 'custom',
        path: ['initial'],
        message: `"${spec.initial}" is not one of the states`,
      });
    }
    const targets = new Set(Object.values(spec.states).flatMap((s) => s.transitions));
    if (
      names.length + [...targets].filter((t) => !Object.hasOwn(spec.states, t)).length >
      SESSION_LIMITS.specStates
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['states'],
        message: `at most ${SESSION_LIMITS.specStates} states, transition targets included`,
      });
    }
  });

/** The tools that read: what a planning or review state allows. */
const READING_TOOLS = [
  'ctx_read',
  'ctx_multi_read',
  'ctx_smart_read',
  'ctx_delta',
  'ctx_outline',
  'ctx_symbol',
  'ctx_search',
  'ctx_semantic_search',
  'ctx_tree',
  'ctx_overview',
  'ctx_preload',
  'ctx_prefetch',
  'ctx_expand',
  'ctx_context',
  'ctx_discover_tools',
  'ctx_metrics',
  'ctx_session',
  'ctx_knowledge',
  'ctx_intent',
  'ctx_agent',
  'ctx_task',
  'ctx_handoff',
  'ctx_share',
];

export const BUILTIN_WORKFLOWS: Readonly<Record<string, WorkflowSpec>> = {
  plan_code_test: {
    name: 'plan_code_test',
    initial: 'planning',
    states: {
      planning: { allowed_tools: READING_TOOLS, transitions: ['coding'], requires_evidence: [] },
      coding: { transitions: ['testing'], requires_evidence: ['plan'] },
      testing: { transitions: ['coding', 'done'], requires_evidence: [] },
      done: { transitions: [], requires_evidence: ['tests'] },
    },
  },
};

/** Tools every state allows: the workflow's own controls and the dispatcher (its inner call is checked). */
export const ALWAYS_ALLOWED: ReadonlySet<string> = new Set(['ctx_workflow', 'ctx_call']);

/**
 * The context a workflow binds: the caller's MCP session or REST contextId, or the token
 * itself when it sends neither (a REST client without a context).
 */
export function workflowScope(tokenId: string, contextId: string | undefined): string {
  return contextId === undefined ? tokenId : `${tokenId}\u0000${contextId}`;
}

/**
 * A custom spec from the `spec` argument (JSON text or an object), or invalid_arguments
 * naming the field. A transition to a state the spec does not declare makes that state a
 * final one without restrictions; `implicit` names them, so a typo is visible.
 */
export function parseWorkflowSpec(raw: unknown): { spec: WorkflowSpec; implicit: string[] } {
  if (typeof raw !== 'string' && JSON.stringify(raw).length > SESSION_LIMITS.specChars) {
    throw new AppError('invalid_arguments', `spec: over the ${SESSION_LIMITS.specChars}-character limit`);
  }
  const spec: WorkflowSpec = parseJsonArgument(raw, specSchema, 'spec', 'invalid workflow spec');
  const implicit = [...new Set(Object.values(spec.states).flatMap((s) => s.transitions))].filter(
    (to) => !Object.hasOwn(spec.states, to),
  );
  for (const name of implicit) spec.states[name] = { transitions: [], requires_evidence: [] };
  return { spec, implicit };
}

/** The run after a move to `to`, or a ToolError saying which moves and evidence it lacks. */
export function transitionRun(
  run: WorkflowRun,
  to: string,
  agent: string,
): Pick<WorkflowRun, 'state' | 'evidence' | 'history'> {
  const from = run.spec.states[run.state];
  const allowed = from?.transitions ?? [];
  if (!allowed.includes(to)) {
    const where = allowed.length > 0 ? `it can go to ${allowed.join(', ')}` : 'it is a final state';
    throw new ToolError(`workflow "${run.spec.name}" is in "${run.state}": ${where}, not "${to}"`);
  }
  const missing = (run.spec.states[to]?.requires_evidence ?? []).filter(
    (k) => !Object.hasOwn(run.evidence, k),
  );
  if (missing.length > 0) {
    throw new ToolError(
      `entering "${to}" needs evidence ${missing.map((k) => `"${k}"`).join(', ')}; add it with {"action":"evidence_add","key":"${missing[0]}","value":"…"}`,
    );
  }
  const ts = new Date().toISOString();
  return {
    state: to,
    evidence: run.evidence,
    history: [...run.history, { from: run.state, to, agent, ts }].slice(-100),
  };
}

/** The final state (no transitions) the current state leads to, for `complete`. */
export function finalStateFrom(run: WorkflowRun): string {
  const next = run.spec.states[run.state]?.transitions ?? [];
  const final = next.find((s) => (run.spec.states[s]?.transitions.length ?? 0) === 0);
  if (!final) {
    throw new ToolError(
      `"${run.state}" leads to no final state (${next.join(', ') || 'none'}); transition step by step with {"action":"transition","to":"…"}`,
    );
  }
  return final;
}
