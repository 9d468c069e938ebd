import type { Store } from '../store/types.ts';

/** One channel of a workspace, as `session list` and GET /v1/sessions show it. */
export interface ChannelSummary {
  channelId: string;
  /** The channel's event revision: the SSE `id:` of its latest event. */
  revision: number;
  /** The shared session's revision: one per write. */
  sessionRevision: number;
  /** Agents on the channel now, in the order they joined. */
  agents: string[];
  lastActivity: string;
  task: string | undefined;
}

/** The channels of a workspace that saw events or session writes, by channel id. */
export async function listChannels(store: Store, workspaceId: string): Promise<ChannelSummary[]> {
  const [events, sessions] = await Promise.all([
    store.events.channels(workspaceId),
    store.sessions.channels(workspaceId),
  ]);
  const byId = new Map<string, ChannelSummary>();
  for (const e of events) {
    byId.set(e.channelId, {
      channelId: e.channelId,
      revision: e.revision,
      sessionRevision: 0,
      agents: [],
      lastActivity: e.lastActivity,
      task: undefined,
    });
  }
  for (const s of sessions) {
    const known = byId.get(s.channelId);
    byId.set(s.channelId, {
      channelId: s.channelId,
      revision: known?.revision ?? 0,
      sessionRevision: s.revision,
      agents: [],
      lastActivity: known && known.lastActivity > s.updatedAt ? known.lastActivity : s.updatedAt,
      task: s.task,
    });
  }
  const channels = [...byId.values()].sort((a, b) => (a.channelId < b.channelId ? -1 : 1));
  for (const ch of channels) {
    ch.agents = (await store.agents.list(workspaceId, ch.channelId, { present: true })).map((a) => a.name);
  }
  return channels;
}

/** The seed's line for a channel: `channel: feat/auth-refactor rev:14 agents: cursor, claude-code`. */
export function channelLine(ch: ChannelSummary): string {
  return `channel: ${ch.channelId} rev:${ch.revision} agents: ${ch.agents.join(', ') || '(none)'}`;
}
