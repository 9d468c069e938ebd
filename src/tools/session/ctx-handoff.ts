import { z } from 'zod';
import { contextScope, readCacheOf } from '../../engine/read/cache.ts';
import { loadFile } from '../../engine/read/load-file.ts';
import { ToolError } from '../../errors.ts';
import { parseExport } from '../../sessions/export-format.ts';
import {
  type HandoffLedger,
  handoffExportSchema,
  handoffLedgerSchema,
  LEDGER_NOTES,
  ledgerId,
  ledgerJson,
  toHandoffExport,
} from '../../sessions/handoff-ledger.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import { parseWorkflowSpec, workflowScope } from '../../sessions/workflow-spec.ts';
import type { HandoffRecord } from '../../store/handoffs.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { agentArg, idArg, requireFor, scopesByAction, valueArg } from './session-args.ts';
import { writeSession } from './session-write.ts';

const ACTIONS = ['create', 'show', 'list', 'pull', 'clear', 'export', 'import'] as const;
type Action = (typeof ACTIONS)[number];

const input = z
  .object({
    action: z.enum(ACTIONS),
    id: idArg
      .optional()
      .describe('a handoff id (show, pull, clear, export); pull: default the latest for you'),
    paths: z
      .array(z.string().min(1).max(1024))
      .max(SESSION_LIMITS.paths)
      .optional()
      .describe('create: files to hash; default the files this context read'),
    to_agent: agentArg.optional(),
    message: valueArg.optional(),
    value: z.string().max(SESSION_LIMITS.importChars).optional().describe('import: an export'),
    apply_session: z.boolean().default(true),
    apply_workflow: z.boolean().default(true),
    apply_knowledge: z.boolean().default(true),
  })
  .superRefine(requireFor<Action>({ show: ['id'], export: ['id'], import: ['value'] }));

async function fileRefs(
  ctx: ToolContext,
  paths: readonly string[] | undefined,
): Promise<HandoffLedger['files']> {
  let wanted = paths ? [...paths] : [];
  if (!paths) {
    const scope = contextScope(ctx.agentId, ctx.contextId);
    const held = scope === undefined ? [] : readCacheOf(ctx.workspace).entries(scope);
    wanted = held.map(([rel]) => rel).slice(-SESSION_LIMITS.paths);
  }
  const files: HandoffLedger['files'] = [];
  for (const path of wanted) {
    const file = await loadFile(ctx.workspace, path, 'outlineBytes', ctx.signal);
    files.push({ path: file.rel, sha256: file.hash, lines: file.lineCount });
  }
  return files;
}

async function buildLedger(
  ctx: ToolContext,
  paths: readonly string[] | undefined,
  to?: string,
  note?: string,
) {
  const ws = ctx.workspace.id;
  const [session, run, files] = await Promise.all([
    ctx.store.sessions.get(ws, ctx.channelId),
    ctx.store.workflows.get(ws, workflowScope(ctx.agentId, ctx.contextId)),
    fileRefs(ctx, paths),
  ]);
  const notes = (kind: string) =>
    session.entries
      .filter((e) => e.kind === kind)
      .slice(-LEDGER_NOTES)
      .map((e) => ({ text: e.text, agent: e.agent }));
  const ledger: HandoffLedger = {
    format: 'leanctx.handoff/1',
    createdAt: new Date().toISOString(),
    workspaceId: ws,
    channelId: ctx.channelId,
    from: ctx.agentName,
    to: to ?? null,
    note: note ?? null,
    task: session.task?.text ?? null,
    decisions: notes('decision'),
    findings: session.entries
      .filter((e) => e.kind === 'finding')
      .slice(-LEDGER_NOTES)
      .map((e) => ({ text: e.text, agent: e.agent, file: e.file ?? null })),
    workflow: run
      ? {
          spec: run.spec as unknown as Record<string, unknown>,
          state: run.state,
          evidence: Object.fromEntries(Object.entries(run.evidence).map(([k, e]) => [k, e.value])),
        }
      : null,
    files,
  };
  return handoffLedgerSchema.parse(ledger);
}

const ledgerOf = (record: HandoffRecord) => handoffLedgerSchema.parse(JSON.parse(record.ledgerJson));

function showText(record: HandoffRecord, ledger: HandoffLedger): string {
  return [
    `handoff ${record.id} from ${ledger.from} to ${ledger.to ?? 'anyone'} at ${ledger.createdAt}${record.pulledBy.length ? ` (pulled by ${record.pulledBy.join(', ')})` : ''}`,
    `task: ${ledger.task ?? '(none)'}`,
    ...(ledger.note ? [`note: ${ledger.note}`] : []),
    ...(ledger.workflow
      ? [`workflow: ${String(ledger.workflow.spec.name)} in "${ledger.workflow.state}"`]
      : []),
    ...ledger.decisions.map((d) => `  decision: ${d.text} (${d.agent})`),
    ...ledger.findings.map((f) => `  finding: ${f.file ? `${f.file} ` : ''}${f.text} (${f.agent})`),
    ...ledger.files.map((f) => `  file: ${f.path} ${f.lines}L sha256:${f.sha256.slice(0, 12)}`),
  ].join('\n');
}

async function store(ctx: ToolContext, ledger: HandoffLedger) {
  const { record, created } = await ctx.store.handoffs.create({
    id: ledgerId(ledger),
    workspaceId: ctx.workspace.id,
    channelId: ctx.channelId,
    from: ledger.from,
    to: ledger.to ?? undefined,
    createdAt: ledger.createdAt,
    ledgerJson: ledgerJson(ledger),
  });
  if (created) {
    ctx.emit('handoff_created', {
      tool: 'ctx_handoff',
      id: record.id,
      to: ledger.to,
      files: ledger.files.length,
    });
  }
  return record;
}

/** Applies a ledger to the puller: the task, the workflow at its state, and how each file stands now. */
async function pull(ctx: ToolContext, record: HandoffRecord, args: z.output<typeof input>): Promise<string> {
  const ledger = ledgerOf(record);
  const lines = [showText(record, ledger)];
  const session = await ctx.store.sessions.get(ctx.workspace.id, ctx.channelId);
  if (args.apply_session && ledger.task && session.task?.text !== ledger.task) {
    const w = await writeSession(
      ctx,
      { tool: 'ctx_handoff', action: 'pull' },
      { kind: 'task', text: ledger.task },
    );
    lines.push(`applied: task set (rev ${w.revision})`);
  }
  if (args.apply_workflow && ledger.workflow) {
    const { spec } = parseWorkflowSpec(ledger.workflow.spec);
    const now = new Date().toISOString();
    const evidence = Object.fromEntries(
      Object.entries(ledger.workflow.evidence).map(([k, value]) => [
        k,
        { value, agent: ledger.from, ts: now },
      ]),
    );
    await ctx.store.workflows.start({
      workspaceId: ctx.workspace.id,
      scope: workflowScope(ctx.agentId, ctx.contextId),
      spec,
      state: Object.hasOwn(spec.states, ledger.workflow.state) ? ledger.workflow.state : spec.initial,
      evidence,
      history: [],
      startedBy: ctx.agentName,
      startedAt: now,
      updatedAt: now,
    });
    lines.push(`applied: workflow ${spec.name} in "${ledger.workflow.state}" for this context`);
  }
  if (args.apply_knowledge)
    lines.push('knowledge: facts are shared by the workspace already; nothing to apply');
  for (const f of ledger.files) {
    let now: string;
    try {
      now =
        (await loadFile(ctx.workspace, f.path, 'outlineBytes', ctx.signal)).hash === f.sha256
          ? 'unchanged'
          : 'changed since the handoff';
    } catch {
      now = 'no longer readable';
    }
    lines.push(`  ${f.path}: ${now}`);
  }
  await ctx.store.handoffs.markPulled(ctx.workspace.id, record.id, ctx.agentName);
  return lines.join('\n');
}

export const ctxHandoff = defineTool({
  name: 'ctx_handoff',
  description:
    'A content-hashed handoff ledger (task, decisions, findings, workflow, files by sha256) for the next agent: create, show, list, pull (applies it), clear, export, import.',
  scope: 'search',
  ...scopesByAction<Action>(['show', 'list', 'export']),
  input,
  async run(args, ctx) {
    const ws = ctx.workspace.id;
    const find = async (id: string) => {
      const record = await ctx.store.handoffs.get(ws, id);
      if (!record) throw new ToolError(`no handoff "${id}" in this workspace; {"action":"list"} shows them`);
      return record;
    };
    switch (args.action) {
      case 'create': {
        const record = await store(ctx, await buildLedger(ctx, args.paths, args.to_agent, args.message));
        return `${showText(record, ledgerOf(record))}\npull with {"action":"pull","id":"${record.id}"}`;
      }
      case 'show': {
        const record = await find(args.id as string);
        return showText(record, ledgerOf(record));
      }
      case 'list': {
        const all = await ctx.store.handoffs.list(ws, ctx.channelId, SESSION_LIMITS.listItems);
        if (all.length === 0) return `No handoffs on ${ctx.channelId}.`;
        return all
          .map(
            (r) =>
              `${r.id} ${r.createdAt} ${r.from} → ${r.to ?? 'anyone'}${r.pulledBy.length ? ` pulled by ${r.pulledBy.join(', ')}` : ''}`,
          )
          .join('\n');
      }
      case 'pull': {
        if (args.id) return pull(ctx, await find(args.id), args);
        const all = await ctx.store.handoffs.list(ws, ctx.channelId, SESSION_LIMITS.listItems);
        const mine = all.find(
          (r) =>
            r.from !== ctx.agentName &&
            (r.to === undefined || r.to === ctx.agentName) &&
            !r.pulledBy.includes(ctx.agentName),
        );
        if (!mine) return 'No handoff waiting for you on this channel.';
        return pull(ctx, mine, args);
      }
      case 'clear': {
        const n = await ctx.store.handoffs.remove(ws, ctx.channelId, args.id);
        return `Removed ${n} handoffs from ${ctx.channelId}.`;
      }
      case 'export':
        return JSON.stringify(toHandoffExport(ledgerOf(await find(args.id as string))), null, 2);
      case 'import': {
        const parsed = parseExport(args.value as string, handoffExportSchema, 'handoff');
        if (parsed.content.workflow) parseWorkflowSpec(parsed.content.workflow.spec);
        const record = await store(ctx, parsed.content);
        return `Imported handoff ${record.id} from ${parsed.content.from} into ${ctx.channelId}.`;
      }
    }
  },
});
