import { z } from 'zod';
import { ENTRY_KINDS, SESSION_RETENTION, type SessionContent, type SessionState } from '../store/sessions.ts';
import { contentHash } from './export-format.ts';
import { SESSION_LIMITS } from './limits.ts';
import { AGENT_NAME_RULE, isAgentName } from './names.ts';

const text = z.string().min(1).max(SESSION_LIMITS.valueChars);
const agent = z.string().refine(isAgentName, AGENT_NAME_RULE);
const ts = z.iso.datetime();

const contentSchema = z
  .strictObject({
    task: z.strictObject({ text, agent, ts }).nullable(),
    entries: z.array(
      z.strictObject({
        kind: z.enum(ENTRY_KINDS),
        text,
        agent,
        ts,
        file: z.string().min(1).max(1024).optional(),
        line: z.number().int().positive().optional(),
      }),
    ),
  })
  .superRefine((content, ctx) => {
    for (const kind of ENTRY_KINDS) {
      const n = content.entries.filter((e) => e.kind === kind).length;
      if (n > SESSION_RETENTION[kind]) {
        ctx.addIssue({
          code: 'custom',
          path: ['entries'],
          message: `${n} ${kind} entries; a session keeps at most ${SESSION_RETENTION[kind]}`,
        });
      }
    }
  });

export const sessionExportSchema = z.strictObject({
  format: z.literal('leanctx.session/1'),
  workspaceId: z.string(),
  channelId: z.string(),
  revision: z.number().int().min(0),
  exportedAt: ts,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  content: contentSchema,
});

export type SessionExport = z.output<typeof sessionExportSchema>;

/** What a session holds, in the form exports hash (no task is `null`). */
export function exportContent(state: Pick<SessionState, 'task' | 'entries'>): SessionExport['content'] {
  return {
    task: state.task ? { text: state.task.text, agent: state.task.agent, ts: state.task.ts } : null,
    entries: state.entries.map((e) => ({
      kind: e.kind,
      text: e.text,
      agent: e.agent,
      ts: e.ts,
      ...(e.file !== undefined ? { file: e.file } : {}),
      ...(e.line !== undefined ? { line: e.line } : {}),
    })),
  };
}

export function toSessionExport(state: SessionState): SessionExport {
  const content = exportContent(state);
  return {
    format: 'leanctx.session/1',
    workspaceId: state.workspaceId,
    channelId: state.channelId,
    revision: state.revision,
    exportedAt: new Date().toISOString(),
    sha256: contentHash(content),
    content,
  };
}

export function fromExportContent(content: SessionExport['content']): SessionContent {
  return { task: content.task ?? undefined, entries: content.entries };
}
