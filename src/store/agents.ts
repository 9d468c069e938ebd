/**
 * Agents on a channel (who is here, what they do), the messages they post to each other and
 * their diaries. An agent is known by its name on a workspace+channel.
 */

export const AGENT_STATUSES = ['active', 'idle', 'finished'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number] | 'left';

export const MESSAGE_CATEGORIES = ['finding', 'warning', 'request', 'status', 'handoff'] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

/** Messages a channel keeps; past it the oldest go. */
export const MESSAGES_KEPT = 500;
/** Diary entries an agent keeps per workspace. */
export const DIARY_KEPT = 100;

export interface AgentRecord {
  workspaceId: string;
  channelId: string;
  name: string;
  /** The token it last called with. */
  tokenId: string;
  agentType: string | undefined;
  role: string | undefined;
  status: AgentStatus;
  joinedAt: string;
  lastActive: string;
}

export interface AgentMessage {
  id: number;
  channelId: string;
  from: string;
  /** undefined = everyone on the channel. */
  to: string | undefined;
  category: MessageCategory;
  text: string;
  ts: string;
}

export interface DiaryEntry {
  agent: string;
  category: string;
  text: string;
  ts: string;
}

export interface AgentArrival {
  workspaceId: string;
  channelId: string;
  name: string;
  tokenId: string;
  ts: string;
}

export interface AgentStore {
  /**
   * Marks the agent active on the channel; `joined` is true when it was new there or had
   * left, so exactly one caller (over all processes) announces the arrival.
   */
  arrive(arrival: AgentArrival): Promise<{ joined: boolean }>;
  /** Sets type, role or status; `left` tells whether this call made it leave (status finished). */
  update(
    arrival: AgentArrival,
    patch: { agentType?: string; role?: string; status?: (typeof AGENT_STATUSES)[number] },
  ): Promise<{ agent: AgentRecord; joined: boolean; left: boolean }>;
  get(workspaceId: string, channelId: string, name: string): Promise<AgentRecord | undefined>;
  /** Agents of a channel in the order they joined; `present` leaves out those that left or finished. */
  list(workspaceId: string, channelId: string, opts?: { present?: boolean }): Promise<AgentRecord[]>;
  /** Agents not seen since `cutoffTs` leave; returns those that left now. */
  expire(cutoffTs: string): Promise<AgentRecord[]>;
  post(workspaceId: string, message: Omit<AgentMessage, 'id'>): Promise<AgentMessage>;
  /**
   * Messages for `name` (to it or to everyone, not its own) after its read cursor, oldest
   * first, at most `limit`; the cursor moves past them atomically.
   */
  inbox(workspaceId: string, channelId: string, name: string, limit: number): Promise<AgentMessage[]>;
  addDiary(workspaceId: string, entry: DiaryEntry): Promise<void>;
  /** An agent's diary, newest first. */
  diary(workspaceId: string, agent: string, limit: number): Promise<DiaryEntry[]>;
}
