import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import {
  BUILTIN_WORKFLOWS,
  finalStateFrom,
  parseWorkflowSpec,
  transitionRun,
  workflowScope,
} from '../../sessions/workflow-spec.ts';
import type { WorkflowRun } from '../../store/workflows.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { requireFor, scopesByAction, valueArg } from './session-args.ts';

const ACTIONS = [
  'start',
  'status',
  'transition',
  'complete',
  'evidence_add',
  'evidence_list',
  'stop',
] as const;
type Action = (typeof ACTIONS)[number];

const input = z
  .object({
    action: z.enum(ACTIONS),
    name: z
      .string()
      .max(64)
      .optional()
      .describe(`builtin: ${Object.keys(BUILTIN_WORKFLOWS).join(', ')}`),
    spec: z
      .union([z.string().max(SESSION_LIMITS.specChars), z.record(z.string(), z.unknown())])
      .optional()
      .describe('{"name","initial","states":{S:{"allowed_tools"?,"transitions","requires_evidence"}}}'),
    to: z.string().max(64).optional(),
    key: z.string().min(1).max(SESSION_LIMITS.idChars).optional(),
    value: valueArg.optional(),
  })
  .superRefine(requireFor<Action>({ transition: ['to'], evidence_add: ['key', 'value'] }));

function describe(run: WorkflowRun): string {
  const state = run.spec.states[run.state];
  const tools = state?.allowed_tools ? state.allowed_tools.join(', ') : 'every tool';
  const next = state?.transitions.length ? state.transitions.join(', ') : 'none (final state)';
  const evidence = Object.keys(run.evidence);
  return [
    `workflow ${run.spec.name}: state "${run.state}" (rev ${run.revision})`,
    `allowed: ${tools}`,
    `next: ${next}`,
    `evidence: ${evidence.length > 0 ? evidence.join(', ') : '(none)'}`,
  ].join('\n');
}

const noRun = () =>
  new ToolError(
    'this context runs no workflow; start one with {"action":"start","name":"plan_code_test"} or a spec',
  );

async function move(ctx: ToolContext, to: (run: WorkflowRun) => string) {
  const scope = workflowScope(ctx.agentId, ctx.contextId);
  let from = '';
  const run = await ctx.store.workflows.update(ctx.workspace.id, scope, (r) => {
    from = r.state;
    return transitionRun(r, to(r), ctx.agentName);
  });
  if (!run) throw noRun();
  ctx.emit('workflow_transition', { tool: 'ctx_workflow', workflow: run.spec.name, from, to: run.state });
  return run;
}

export const ctxWorkflow = defineTool({
  name: 'ctx_workflow',
  description:
    "A state machine for this context: each state's allowed_tools restrict which tools it may call, and transitions need evidence. Builtin plan_code_test, or a custom spec.",
  scope: 'search',
  ...scopesByAction<Action>(['status', 'evidence_list']),
  input,
  async run(args, ctx) {
    const ws = ctx.workspace.id;
    const scope = workflowScope(ctx.agentId, ctx.contextId);
    switch (args.action) {
      case 'start': {
        const custom = args.spec !== undefined ? parseWorkflowSpec(args.spec) : undefined;
        const spec = custom?.spec ?? BUILTIN_WORKFLOWS[args.name ?? 'plan_code_test'];
        if (!spec) {
          throw new ToolError(
            `no builtin workflow "${args.name}"; builtin: ${Object.keys(BUILTIN_WORKFLOWS).join(', ')}, or pass a spec`,
          );
        }
        const now = new Date().toISOString();
        const { run, replaced } = await ctx.store.workflows.start({
          workspaceId: ws,
          scope,
          spec,
          state: spec.initial,
          evidence: {},
          history: [],
          startedBy: ctx.agentName,
          startedAt: now,
          updatedAt: now,
        });
        ctx.emit('workflow_transition', {
          tool: 'ctx_workflow',
          workflow: spec.name,
          from: null,
          to: spec.initial,
        });
        const unknown = Object.values(spec.states)
          .flatMap((s) => s.allowed_tools ?? [])
          .filter((t, i, all) => all.indexOf(t) === i && !ctx.listTools().some((info) => info.name === t));
        const notes = [
          replaced ? `(replaced workflow ${replaced.spec.name})` : '',
          ctx.contextId === undefined
            ? 'no contextId: the workflow binds this token in the workspace; send a contextId to bind one context'
            : '',
          unknown.length > 0 ? `note: this token cannot call ${unknown.join(', ')}` : '',
          custom?.implicit.length
            ? `note: ${custom.implicit.join(', ')} not declared in states: final, without restrictions`
            : '',
        ].filter(Boolean);
        return [`Started ${describe(run)}`, ...notes].join('\n');
      }
      case 'status': {
        const run = await ctx.store.workflows.get(ws, scope);
        if (!run) return 'No workflow in this context: every tool is allowed.';
        return describe(run);
      }
      case 'transition':
        return describe(await move(ctx, () => args.to as string));
      case 'complete':
        return describe(await move(ctx, finalStateFrom));
      case 'evidence_add': {
        const key = args.key as string;
        const run = await ctx.store.workflows.update(ws, scope, (r) => {
          if (!Object.hasOwn(r.evidence, key) && Object.keys(r.evidence).length >= 100) {
            throw new ToolError('a workflow holds at most 100 evidence keys');
          }
          const evidence = {
            ...r.evidence,
            [key]: { value: args.value as string, agent: ctx.agentName, ts: new Date().toISOString() },
          };
          return { state: r.state, evidence, history: r.history };
        });
        if (!run) throw noRun();
        return `Evidence "${key}" recorded (${Object.keys(run.evidence).length} keys)`;
      }
      case 'evidence_list': {
        const run = await ctx.store.workflows.get(ws, scope);
        if (!run) throw noRun();
        const entries = Object.entries(run.evidence);
        if (entries.length === 0) return `workflow ${run.spec.name}: no evidence yet`;
        return entries.map(([k, e]) => `${k}: ${e.value} (${e.agent}, ${e.ts})`).join('\n');
      }
      case 'stop': {
        const run = await ctx.store.workflows.stop(ws, scope);
        if (!run) return 'No workflow in this context.';
        ctx.emit('workflow_transition', {
          tool: 'ctx_workflow',
          workflow: run.spec.name,
          from: run.state,
          to: null,
        });
        return `Stopped workflow ${run.spec.name} in state "${run.state}": every tool is allowed again.`;
      }
    }
  },
});
