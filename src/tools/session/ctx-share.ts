import { z } from 'zod';
import { contextScope, readCacheOf } from '../../engine/read/cache.ts';
import { countLines, loadFile } from '../../engine/read/load-file.ts';
import { countTokensAsync } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { SESSION_LIMITS } from '../../sessions/limits.ts';
import type { ShareRecord } from '../../store/handoffs.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { agentArg, requireFor, scopesByAction, valueArg } from './session-args.ts';

const ACTIONS = ['push', 'pull', 'list', 'clear'] as const;
type Action = (typeof ACTIONS)[number];

const input = z
  .object({
    action: z.enum(ACTIONS),
    paths: z.string().max(4096).optional().describe('comma-separated workspace paths'),
    to_agent: agentArg.optional().describe('push: one agent; default everyone on the channel'),
    message: valueArg.optional(),
  })
  .superRefine(requireFor<Action>({ push: ['paths'] }));

function splitPaths(raw: string | undefined): string[] {
  const paths = (raw ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.length > SESSION_LIMITS.paths) {
    throw new ToolError(`at most ${SESSION_LIMITS.paths} paths per call, got ${paths.length}`);
  }
  return paths;
}

/**
 * A pulled view is what this context now holds of the file: the read cache records it as
 * received in full, so the next ctx_read answers "unchanged" or a diff honestly.
 */
function markReceived(ctx: ToolContext, share: ShareRecord): void {
  const scope = contextScope(ctx.agentId, ctx.contextId);
  if (scope === undefined) return;
  const cache = readCacheOf(ctx.workspace);
  const record = cache.touch(scope, share.path);
  record.reads++;
  record.lastMode = 'shared';
  record.tokens = share.tokens;
  record.sentTokens += share.tokens;
  record.lines = countLines(share.text);
  cache.setFull(scope, share.path, share.hash, share.text);
}

async function push(ctx: ToolContext, paths: string[], to: string | undefined, message: string | undefined) {
  const now = new Date().toISOString();
  const shares = [];
  for (const path of paths) {
    const file = await loadFile(ctx.workspace, path, 'wholeBytes', ctx.signal);
    if (file.bytes > SESSION_LIMITS.shareFileBytes) {
      throw new ToolError(
        `"${file.rel}" is ${file.bytes} bytes, over the ${SESSION_LIMITS.shareFileBytes}-byte limit for a shared view; share a smaller file or name it in a handoff`,
      );
    }
    const tokens = await countTokensAsync(file.text, ctx.signal);
    shares.push({
      channelId: ctx.channelId,
      from: ctx.agentName,
      to,
      path: file.rel,
      hash: file.hash,
      text: file.text,
      tokens,
      message,
      createdAt: now,
    });
  }
  return ctx.store.shares.push(ctx.workspace.id, shares);
}

export const ctxShare = defineTool({
  name: 'ctx_share',
  description:
    'Share file views between agents on the channel: push paths (to one agent or all), pull what others pushed (it counts as read in this context), list, clear your pushes.',
  scope: 'search',
  ...scopesByAction<Action>(['list']),
  input,
  async run(args, ctx) {
    const ws = ctx.workspace.id;
    switch (args.action) {
      case 'push': {
        const pushed = await push(ctx, splitPaths(args.paths), args.to_agent, args.message);
        const tokens = pushed.reduce((n, s) => n + s.tokens, 0);
        ctx.emit('share_pushed', {
          tool: 'ctx_share',
          ids: pushed.map((s) => s.id),
          paths: pushed.map((s) => s.path),
          to: args.to_agent ?? null,
        });
        return `Shared ${pushed.length} files (${tokens} tok) with ${args.to_agent ?? 'everyone on the channel'}: ${pushed.map((s) => s.path).join(', ')}`;
      }
      case 'pull': {
        const wanted = splitPaths(args.paths).map((p) => ctx.workspace.jail.resolve(p).rel);
        const shares = await ctx.store.shares.pull(ws, ctx.channelId, ctx.agentName, wanted);
        if (shares.length === 0) return 'Nothing new shared with you.';
        const parts: string[] = [];
        for (const s of shares) {
          let note = '';
          try {
            const now = await loadFile(ctx.workspace, s.path, 'wholeBytes', ctx.signal);
            if (now.hash !== s.hash)
              note = ' [changed on disk since it was pushed: ctx_read sends the difference]';
          } catch {
            note = ' [no longer readable in the workspace]';
          }
          markReceived(ctx, s);
          const msg = s.message ? ` — ${s.message}` : '';
          parts.push(`--- ${s.path} from ${s.from} (${s.tokens} tok)${msg}${note}\n${s.text}`);
        }
        const held = ctx.contextId === undefined ? ' (no contextId: not remembered as read)' : '';
        return `${parts.join('\n')}\n--- pulled ${shares.length} views${held}`;
      }
      case 'list': {
        const shares = await ctx.store.shares.list(ws, ctx.channelId);
        if (shares.length === 0) return `Nothing shared on ${ctx.channelId}.`;
        return shares
          .map(
            (s) =>
              `#${s.id} ${s.path} ${s.tokens} tok ${s.from} → ${s.to ?? 'everyone'} ${s.createdAt}${s.message ? ` — ${s.message}` : ''}`,
          )
          .join('\n');
      }
      case 'clear': {
        const n = await ctx.store.shares.clear(ws, ctx.channelId, ctx.agentName);
        return `Cleared ${n} views you shared on ${ctx.channelId}.`;
      }
    }
  },
});
