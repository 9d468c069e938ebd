/**
 * Handoff ledgers (what one agent leaves for the next: task, decisions, files by content
 * hash) and shared file views (file contents one agent pushes for others to pull).
 */

/** Handoffs a channel keeps; past it the oldest go. */
export const HANDOFFS_KEPT = 100;
/** Shared views a channel keeps; past it the oldest go. */
export const SHARES_KEPT = 200;

export interface HandoffRecord {
  /** The ledger's content hash (sha256, first 16 hex). */
  id: string;
  workspaceId: string;
  channelId: string;
  from: string;
  to: string | undefined;
  createdAt: string;
  /** The ledger as its canonical JSON text, exactly what the id hashes. */
  ledgerJson: string;
  pulledBy: string[];
}

export interface HandoffStore {
  /** Stores a ledger; the same id twice is one handoff. `created` is false when it existed. */
  create(record: Omit<HandoffRecord, 'pulledBy'>): Promise<{ record: HandoffRecord; created: boolean }>;
  get(workspaceId: string, id: string): Promise<HandoffRecord | undefined>;
  /** Newest first. */
  list(workspaceId: string, channelId: string, limit: number): Promise<HandoffRecord[]>;
  markPulled(workspaceId: string, id: string, agent: string): Promise<void>;
  /** Removes one handoff, or every handoff of the channel; returns how many went. */
  remove(workspaceId: string, channelId: string, id?: string): Promise<number>;
}

export interface ShareRecord {
  id: number;
  workspaceId: string;
  channelId: string;
  from: string;
  /** undefined = everyone on the channel. */
  to: string | undefined;
  path: string;
  /** sha256 of the bytes pushed. */
  hash: string;
  text: string;
  tokens: number;
  message: string | undefined;
  createdAt: string;
}

export type ShareInfo = Omit<ShareRecord, 'text'>;

export interface ShareStore {
  push(workspaceId: string, shares: Omit<ShareRecord, 'id' | 'workspaceId'>[]): Promise<ShareInfo[]>;
  /** Newest first, without contents. */
  list(workspaceId: string, channelId: string): Promise<ShareInfo[]>;
  /**
   * Views for `agent` (to it or to everyone, not its own) it has not pulled yet, oldest
   * first, marked pulled atomically; `paths` narrows them.
   */
  pull(
    workspaceId: string,
    channelId: string,
    agent: string,
    paths?: readonly string[],
  ): Promise<ShareRecord[]>;
  /** Removes the views `from` pushed on the channel; returns how many went. */
  clear(workspaceId: string, channelId: string, from: string): Promise<number>;
}
