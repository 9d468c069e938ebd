import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import {
  FINAL_TASK_STATES,
  TASK_MESSAGES_KEPT,
  TASK_STATES,
  type TaskRecord,
  type TaskState,
} from '../../store/tasks.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { agentArg, idArg, requireFor, scopesByAction, valueArg } from './session-args.ts';

const ACTIONS = ['create', 'update', 'list', 'get', 'cancel', 'message', 'info'] as const;
type Action = (typeof ACTIONS)[number];

const input = z
  .object({
    action: z.enum(ACTIONS),
    task_id: idArg.optional(),
    to_agent: agentArg.optional(),
    description: valueArg.optional(),
    state: z.enum(TASK_STATES).optional(),
    message: valueArg.optional(),
  })
  .superRefine(
    requireFor<Action>({
      create: ['description'],
      update: ['task_id', 'state'],
      get: ['task_id'],
      cancel: ['task_id'],
      message: ['task_id', 'message'],
    }),
  );

const line = (t: TaskRecord) =>
  `${t.id} [${t.state}] ${t.from} → ${t.to ?? 'anyone'}: ${t.description.slice(0, 120)} (rev ${t.revision}, ${t.messages.length} messages)`;

function detail(t: TaskRecord): string {
  return [
    `${t.id} [${t.state}] rev ${t.revision} on ${t.channelId}`,
    `from ${t.from} to ${t.to ?? 'anyone'}, created ${t.createdAt}, updated ${t.updatedAt}`,
    `description: ${t.description}`,
    ...t.messages.map((m) => `  ${m.ts} ${m.agent}${m.state ? ` → ${m.state}` : ''}: ${m.text}`),
  ].join('\n');
}

/** A state change (and message) for the task, or a ToolError once it is final. */
async function change(ctx: ToolContext, id: string, state: TaskState | undefined, text: string | undefined) {
  const task = await ctx.store.tasks.update(ctx.workspace.id, id, (t) => {
    if (FINAL_TASK_STATES.has(t.state)) {
      throw new ToolError(
        `task ${t.id} is ${t.state}: a final state takes no more changes; create a new task`,
      );
    }
    const message = {
      agent: ctx.agentName,
      text: text ?? `state → ${state}`,
      ts: new Date().toISOString(),
      state,
    };
    return { state: state ?? t.state, messages: [...t.messages, message].slice(-TASK_MESSAGES_KEPT) };
  });
  if (!task) throw new ToolError(`no task "${id}" in this workspace; {"action":"list"} shows them`);
  ctx.emit('task_updated', {
    tool: 'ctx_task',
    taskId: task.id,
    state: task.state,
    taskRevision: task.revision,
  });
  return task;
}

export const ctxTask = defineTool({
  name: 'ctx_task',
  description:
    'A2A-style tasks between agents: create (to_agent), update state (working, input-required, completed, failed, canceled) with messages, list, get, cancel.',
  scope: 'search',
  ...scopesByAction<Action>(['list', 'get', 'info']),
  input,
  async run(args, ctx) {
    const ws = ctx.workspace.id;
    switch (args.action) {
      case 'create': {
        const now = new Date().toISOString();
        const task = await ctx.store.tasks.create({
          id: `t_${randomBytes(4).toString('hex')}`,
          workspaceId: ws,
          channelId: ctx.channelId,
          from: ctx.agentName,
          to: args.to_agent,
          description: args.description as string,
          state: 'working',
          createdAt: now,
          messages: args.message ? [{ agent: ctx.agentName, text: args.message, ts: now }] : [],
        });
        ctx.emit('task_updated', { tool: 'ctx_task', taskId: task.id, state: task.state, taskRevision: 1 });
        return `Created ${task.id} [working] for ${task.to ?? 'anyone'}`;
      }
      case 'update':
      case 'cancel':
      case 'message': {
        const state =
          args.action === 'cancel' ? 'canceled' : args.action === 'update' ? args.state : undefined;
        const task = await change(ctx, args.task_id as string, state, args.message);
        return line(task);
      }
      case 'get': {
        const task = await ctx.store.tasks.get(ws, args.task_id as string);
        if (!task)
          throw new ToolError(`no task "${args.task_id}" in this workspace; {"action":"list"} shows them`);
        return detail(task);
      }
      case 'list': {
        const tasks = await ctx.store.tasks.list(ws, ctx.channelId, {
          to: args.to_agent,
          open: args.state === undefined ? false : !FINAL_TASK_STATES.has(args.state),
          limit: SESSION_LIMITS.listItems,
        });
        const shown = args.state ? tasks.filter((t) => t.state === args.state) : tasks;
        return shown.length > 0 ? shown.map(line).join('\n') : `No tasks on ${ctx.channelId}.`;
      }
      case 'info': {
        const tasks = await ctx.store.tasks.list(ws, ctx.channelId, { limit: 1000 });
        const counts = TASK_STATES.map((s) => `${s} ${tasks.filter((t) => t.state === s).length}`);
        const mine = tasks.filter((t) => t.to === ctx.agentName && !FINAL_TASK_STATES.has(t.state)).length;
        return `tasks on ${ctx.channelId}: ${counts.join(', ')}; open for ${ctx.agentName}: ${mine}`;
      }
    }
  },
});
