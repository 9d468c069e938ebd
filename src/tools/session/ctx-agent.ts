import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import { AGENT_STATUSES, type AgentRecord, MESSAGE_CATEGORIES } from '../../store/agents.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { agentArg, requireFor, scopesByAction, valueArg } from './session-args.ts';

const ACTIONS = [
  'register',
  'list',
  'post',
  'read',
  'status',
  'info',
  'handoff',
  'diary',
  'recall_diary',
] as const;
type Action = (typeof ACTIONS)[number];

const label = z.string().min(1).max(64);

const input = z
  .object({
    action: z.enum(ACTIONS),
    agent_type: label.optional().describe('register: cursor, claude-code …'),
    role: label.optional().describe('register: what this agent does here'),
    message: valueArg.optional(),
    category: z.enum(MESSAGE_CATEGORIES).default('status'),
    to_agent: agentArg.optional().describe('post, handoff: one agent; default everyone'),
    status: z.enum(AGENT_STATUSES).optional().describe('finished leaves the channel'),
  })
  .superRefine(
    requireFor<Action>({
      post: ['message'],
      handoff: ['to_agent'],
      diary: ['message'],
      status: ['status'],
    }),
  );

const agentLine = (a: AgentRecord) =>
  `${a.name} [${a.status}]${a.agentType ? ` ${a.agentType}` : ''}${a.role ? ` role=${a.role}` : ''} token=${a.tokenId} joined ${a.joinedAt} last active ${a.lastActive}`;

function arrival(ctx: ToolContext) {
  return {
    workspaceId: ctx.workspace.id,
    channelId: ctx.channelId,
    name: ctx.agentName,
    tokenId: ctx.agentId,
    ts: new Date().toISOString(),
  };
}

async function post(
  ctx: ToolContext,
  text: string,
  category: (typeof MESSAGE_CATEGORIES)[number],
  to?: string,
) {
  const m = await ctx.store.agents.post(ctx.workspace.id, {
    channelId: ctx.channelId,
    from: ctx.agentName,
    to,
    category,
    text,
    ts: new Date().toISOString(),
  });
  ctx.emit('agent_message', { tool: 'ctx_agent', id: m.id, from: m.from, to: m.to ?? null, category });
  return m;
}

export const ctxAgent = defineTool({
  name: 'ctx_agent',
  description:
    'Agents on this channel: register, list, post/read messages, status (finished leaves), info, handoff to another agent, diary/recall_diary.',
  scope: 'search',
  ...scopesByAction<Action>(['list', 'read', 'info', 'recall_diary']),
  input,
  async run(args, ctx) {
    const ws = ctx.workspace.id;
    switch (args.action) {
      case 'register':
      case 'status': {
        const { agent, joined, left } = await ctx.store.agents.update(arrival(ctx), {
          ...(args.agent_type ? { agentType: args.agent_type } : {}),
          ...(args.role ? { role: args.role } : {}),
          ...(args.status ? { status: args.status } : {}),
        });
        if (joined) ctx.emit('agent_joined', { agent: agent.name });
        if (left) {
          ctx.presence.forget(ws, ctx.channelId, agent.name);
          ctx.emit('agent_left', { agent: agent.name, reason: 'finished' });
        }
        return left ? `${agent.name} finished and left ${ctx.channelId}` : agentLine(agent);
      }
      case 'list': {
        const agents = await ctx.store.agents.list(ws, ctx.channelId);
        if (agents.length === 0) return `No agents on ${ctx.channelId} yet.`;
        return agents.map(agentLine).join('\n');
      }
      case 'info': {
        const name = args.to_agent ?? ctx.agentName;
        const agent = await ctx.store.agents.get(ws, ctx.channelId, name);
        if (!agent)
          throw new ToolError(`no agent "${name}" on ${ctx.channelId}; {"action":"list"} shows them`);
        return agentLine(agent);
      }
      case 'post': {
        const m = await post(ctx, args.message as string, args.category, args.to_agent);
        return `Posted #${m.id} to ${m.to ?? 'everyone'} on ${ctx.channelId}`;
      }
      case 'read': {
        const messages = await ctx.store.agents.inbox(
          ws,
          ctx.channelId,
          ctx.agentName,
          SESSION_LIMITS.listItems,
        );
        if (messages.length === 0) return 'No new messages.';
        return messages
          .map((m) => `#${m.id} ${m.ts} ${m.from} → ${m.to ?? 'everyone'} [${m.category}]: ${m.text}`)
          .join('\n');
      }
      case 'handoff': {
        const to = args.to_agent as string;
        const session = await ctx.store.sessions.get(ws, ctx.channelId);
        const task = session.task ? `Task: ${session.task.text}. ` : '';
        const note =
          args.message ?? 'ctx_session resume shows where I stopped; ctx_handoff list has any ledger I left.';
        const m = await post(ctx, `${task}${note}`.slice(0, SESSION_LIMITS.valueChars), 'handoff', to);
        return `Handed over to ${to} (message #${m.id}); they see it with ctx_agent read`;
      }
      case 'diary': {
        await ctx.store.agents.addDiary(ws, {
          agent: ctx.agentName,
          category: args.category,
          text: args.message as string,
          ts: new Date().toISOString(),
        });
        return `Diary entry added for ${ctx.agentName}`;
      }
      case 'recall_diary': {
        const name = args.to_agent ?? ctx.agentName;
        const entries = await ctx.store.agents.diary(ws, name, SESSION_LIMITS.listItems);
        if (entries.length === 0) return `${name} has no diary entries in ${ws}.`;
        return entries.map((e) => `${e.ts} [${e.category}] ${e.text}`).join('\n');
      }
    }
  },
});
