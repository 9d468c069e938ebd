import type { SessionChange, SessionWrite } from '../../store/sessions.ts';
import type { ToolContext } from '../define-tool.ts';

/** One write to the channel's session, then `session_mutated` with the revision it got. */
export async function writeSession(
  ctx: ToolContext,
  ref: { tool: string; action: string },
  change: SessionChange,
  extra: Record<string, unknown> = {},
): Promise<SessionWrite> {
  const w = await ctx.store.sessions.apply(ctx.workspace.id, ctx.channelId, ctx.agentName, change);
  ctx.emit('session_mutated', { ...ref, sessionRevision: w.revision, agent: ctx.agentName, ...extra });
  return w;
}
