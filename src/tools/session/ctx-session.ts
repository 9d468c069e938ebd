import { z } from 'zod';
import { ToolError } from '../../errors.ts';
import { formatBudgetStatus } from '../../governance/budget-status.ts';
import { parseExport } from '../../sessions/export-format.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import { fromExportContent, sessionExportSchema, toSessionExport } from '../../sessions/session-export.ts';
import { buildSnapshot } from '../../sessions/snapshot.ts';
import { workflowScope } from '../../sessions/workflow-spec.ts';
import type { SessionChange } from '../../store/sessions.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { idArg, requireFor, scopesByAction } from './session-args.ts';
import { contentText, diffText, entryLine, statusText } from './session-text.ts';
import { writeSession } from './session-write.ts';

const ACTIONS = [
  'status',
  'load',
  'save',
  'task',
  'finding',
  'decision',
  'checkpoint',
  'reset',
  'list',
  'cleanup',
  'snapshot',
  'restore',
  'resume',
  'diff',
  'export',
  'import',
  'role',
  'budget',
] as const;
type Action = (typeof ACTIONS)[number];

const READS = ['status', 'load', 'list', 'snapshot', 'resume', 'diff', 'export', 'role', 'budget'] as const;
/** `src/auth.ts:42 token check skips expiry` names where a finding is (bounded: no backtracking blow-up). */
const FINDING_AT = /^([\w./@-]{1,512}\.\w{1,16}):(\d{1,7})\s+(\S[\s\S]*)$/;

const input = z
  .object({
    action: z.enum(ACTIONS),
    value: z.string().max(SESSION_LIMITS.importChars).optional().describe('text; an export for import'),
    session_id: idArg.optional().describe('a saved session (save, load, restore, diff)'),
    since: z.number().int().min(0).optional().describe('resume: revision last seen'),
    format: z.enum(['text', 'json']).default('text'),
  })
  .superRefine(
    requireFor<Action>({
      task: ['value'],
      finding: ['value'],
      decision: ['value'],
      checkpoint: ['value'],
      import: ['value'],
      restore: ['session_id'],
      diff: ['session_id'],
    }),
  )
  .superRefine((args, ctx) => {
    if (args.action !== 'import' && (args.value?.length ?? 0) > SESSION_LIMITS.valueChars) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `at most ${SESSION_LIMITS.valueChars} characters (got ${args.value?.length})`,
      });
    }
  });

const write = (ctx: ToolContext, action: Action, change: SessionChange, extra?: Record<string, unknown>) =>
  writeSession(ctx, { tool: 'ctx_session', action }, change, extra);

async function presentAgents(ctx: ToolContext): Promise<string[]> {
  return (await ctx.store.agents.list(ctx.workspace.id, ctx.channelId, { present: true })).map((a) => a.name);
}

async function snapshotOf(ctx: ToolContext): Promise<string> {
  const [session, agents, gate, tasks] = await Promise.all([
    ctx.store.sessions.get(ctx.workspace.id, ctx.channelId),
    presentAgents(ctx),
    ctx.store.workflows.gate(ctx.workspace.id, workflowScope(ctx.agentId, ctx.contextId)),
    ctx.store.tasks.list(ctx.workspace.id, ctx.channelId, { open: true, limit: 5 }),
  ]);
  return buildSnapshot({ session, agents, workflow: gate, openTasks: tasks });
}

export const ctxSession = defineTool({
  name: 'ctx_session',
  description:
    "The channel's shared session, seen by every agent on it: task, findings, decisions, checkpoints; snapshot (≤2 KB, re-inject after compaction), save/restore, export/import.",
  scope: 'search',
  core: true,
  ...scopesByAction<Action>(READS),
  input,
  async run(args, ctx) {
    const ws = ctx.workspace.id;
    const ch = ctx.channelId;
    const json = (value: unknown) => JSON.stringify(value, null, 2);
    switch (args.action) {
      case 'status': {
        const [state, agents, gate] = await Promise.all([
          ctx.store.sessions.get(ws, ch),
          presentAgents(ctx),
          ctx.store.workflows.gate(ws, workflowScope(ctx.agentId, ctx.contextId)),
        ]);
        if (args.format === 'json') return json({ ...state, agents, workflow: gate ?? null });
        return statusText(state, agents, gate && `${gate.name}: ${gate.state}`);
      }
      case 'task': {
        const w = await write(ctx, 'task', { kind: 'task', text: args.value as string });
        return `Task set (rev ${w.revision}): ${args.value}`;
      }
      case 'finding':
      case 'decision':
      case 'checkpoint': {
        const text = args.value as string;
        const at = args.action === 'finding' ? FINDING_AT.exec(text) : null;
        const change = at
          ? { kind: 'finding' as const, file: at[1], line: Number(at[2]), text: at[3] as string }
          : { kind: args.action, text };
        const w = await write(ctx, args.action, change, at ? { path: at[1] } : {});
        return `${args.action[0]?.toUpperCase()}${args.action.slice(1)} added (rev ${w.revision})`;
      }
      case 'reset': {
        const w = await write(ctx, 'reset', { kind: 'reset' });
        return `Session reset. Previous: ${w.savedAs} (saved). New: rev ${w.revision}`;
      }
      case 'save': {
        const saved = await ctx.store.sessions.save(ws, ch, args.session_id, ctx.agentName);
        return `Saved ${saved.id} (rev ${saved.revision}, ${saved.entries} entries); restore with {"action":"restore","session_id":"${saved.id}"}`;
      }
      case 'list': {
        const saved = await ctx.store.sessions.saved(ws);
        if (args.format === 'json') return json(saved);
        if (saved.length === 0) return 'No saved sessions in this workspace; save or reset makes one.';
        return saved
          .map(
            (s) =>
              `${s.id}  channel ${s.channelId} rev ${s.revision}  ${s.entries} entries  ${s.ts}  task: ${s.task ? s.task.slice(0, 80) : '-'}`,
          )
          .join('\n');
      }
      case 'cleanup': {
        const days = args.value === undefined ? 7 : Number(args.value);
        if (!Number.isFinite(days) || days < 0) {
          throw new ToolError(`cleanup takes a number of days in value (default 7), got "${args.value}"`);
        }
        const n = await ctx.store.sessions.removeSaved(
          ws,
          new Date(Date.now() - days * 86_400_000).toISOString(),
        );
        return `Removed ${n} saved sessions older than ${days} days.`;
      }
      case 'load':
      case 'restore':
      case 'diff': {
        if (args.session_id === undefined) {
          const state = await ctx.store.sessions.get(ws, ch);
          return args.format === 'json'
            ? json(state)
            : contentText(`session ${ws}/${ch} rev ${state.revision}`, state);
        }
        const saved = await ctx.store.sessions.loadSaved(ws, args.session_id);
        if (!saved) {
          throw new ToolError(`no saved session "${args.session_id}"; {"action":"list"} shows them`);
        }
        if (args.action === 'load') {
          return args.format === 'json'
            ? json(saved)
            : contentText(`saved ${saved.id} (rev ${saved.revision})`, saved.content);
        }
        if (args.action === 'diff')
          return diffText(saved.id, saved.content, await ctx.store.sessions.get(ws, ch));
        const w = await write(
          ctx,
          'restore',
          { kind: 'replace', content: saved.content },
          { from: saved.id },
        );
        return `Restored ${saved.id} into ${ch} (rev ${w.revision}, ${saved.entries} entries).`;
      }
      case 'snapshot':
        return snapshotOf(ctx);
      case 'resume': {
        const snapshot = await snapshotOf(ctx);
        if (args.since === undefined) return snapshot;
        const state = await ctx.store.sessions.get(ws, ch);
        const news = state.entries
          .filter((e) => e.revision > (args.since as number))
          .slice(-SESSION_LIMITS.listItems);
        const head = `since rev ${args.since}: ${news.length} new entries${state.task && state.task.revision > args.since ? ', task changed' : ''}`;
        return [snapshot, head, ...news.map(entryLine)].join('\n');
      }
      case 'export':
        return json(toSessionExport(await ctx.store.sessions.get(ws, ch)));
      case 'import': {
        const parsed = parseExport(args.value as string, sessionExportSchema, 'session');
        const w = await write(ctx, 'import', { kind: 'replace', content: fromExportContent(parsed.content) });
        return `Imported ${parsed.content.entries.length} entries${parsed.content.task ? ' and the task' : ''} from ${parsed.workspaceId}/${parsed.channelId} rev ${parsed.revision} (rev ${w.revision}).`;
      }
      case 'role':
      case 'budget': {
        const status = ctx.budget ? await ctx.budget() : undefined;
        if (args.action === 'role') {
          const role = status?.role;
          const scopes = [...ctx.scopes];
          if (args.format === 'json')
            return json({ agent: ctx.agentName, token: ctx.agentId, role: role ?? null, scopes });
          return `agent ${ctx.agentName} (token ${ctx.agentId}): role ${role ?? '(none: scopes given directly)'}; scopes ${scopes.join(', ')}`;
        }
        if (!status) return 'no governance profile here (local mode): budgets apply on a team server';
        return args.format === 'json' ? json(status) : formatBudgetStatus(status);
      }
    }
  },
});
