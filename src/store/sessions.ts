/**
 * The shared session of a workspace+channel: a task and a list of entries (findings,
 * decisions, checkpoints, intents) every agent on the channel writes to. Each write bumps
 * the session's revision by exactly one, compare-and-set inside the store, so concurrent
 * writers on any number of processes never lose an update.
 */

export const ENTRY_KINDS = ['finding', 'decision', 'checkpoint', 'intent'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Entries a channel keeps per kind; past it the oldest of that kind go (README: Limits). */
export const SESSION_RETENTION: Readonly<Record<EntryKind, number>> = {
  finding: 200,
  decision: 100,
  checkpoint: 100,
  intent: 50,
};

/** Saved copies (save, reset) a workspace keeps; past it the oldest go. */
export const SAVED_SESSIONS_KEPT = 200;

export interface SessionEntry {
  /** The session revision whose write added it. */
  revision: number;
  kind: EntryKind;
  text: string;
  /** The agent's name (MCP clientInfo.name, x-leanctx-agent, else its token id). */
  agent: string;
  ts: string;
  /** A finding's place, from `file:line summary`. */
  file?: string | undefined;
  line?: number | undefined;
}

export interface SessionTask {
  text: string;
  agent: string;
  ts: string;
  revision: number;
}

export interface SessionState {
  workspaceId: string;
  channelId: string;
  /** 0 for a channel nobody wrote to yet. */
  revision: number;
  task: SessionTask | undefined;
  /** Oldest first. */
  entries: SessionEntry[];
  updatedAt: string | undefined;
  updatedBy: string | undefined;
}

/** What a session holds, without where it lives: saves, exports and imports carry this. */
export interface SessionContent {
  task: Omit<SessionTask, 'revision'> | undefined;
  entries: Omit<SessionEntry, 'revision'>[];
}

export type SessionChange =
  | { kind: 'task'; text: string }
  | { kind: EntryKind; text: string; file?: string | undefined; line?: number | undefined }
  /** Saves the current state (as `<channel>@<revision it had>`), then empties the session. */
  | { kind: 'reset' }
  /** Replaces everything (restore, import). */
  | { kind: 'replace'; content: SessionContent };

export interface SessionWrite {
  revision: number;
  ts: string;
  /** The id a reset saved the previous state under. */
  savedAs?: string | undefined;
}

export interface SavedSessionInfo {
  id: string;
  channelId: string;
  /** The session revision that was saved. */
  revision: number;
  savedBy: string;
  ts: string;
  task: string | undefined;
  entries: number;
}

export interface SavedSession extends SavedSessionInfo {
  content: SessionContent;
}

export interface ChannelSession {
  channelId: string;
  revision: number;
  updatedAt: string;
  task: string | undefined;
}

export interface SessionStore {
  /** The channel's session; revision 0 and empty when nobody wrote to it. */
  get(workspaceId: string, channelId: string): Promise<SessionState>;
  /** Applies one change atomically and returns the revision it got (always the old one + 1). */
  apply(workspaceId: string, channelId: string, agent: string, change: SessionChange): Promise<SessionWrite>;
  /** Sessions of a workspace that were written to, by channel. */
  channels(workspaceId: string): Promise<ChannelSession[]>;
  /**
   * Saves a copy of the channel's session under `id` (replacing a save of that id), by
   * default `<channel>@<revision>`.
   */
  save(
    workspaceId: string,
    channelId: string,
    id: string | undefined,
    agent: string,
  ): Promise<SavedSessionInfo>;
  saved(workspaceId: string): Promise<SavedSessionInfo[]>;
  loadSaved(workspaceId: string, id: string): Promise<SavedSession | undefined>;
  /** Removes saves older than `beforeTs`; returns how many went. */
  removeSaved(workspaceId: string, beforeTs: string): Promise<number>;
}
