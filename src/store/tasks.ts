/** A2A-style tasks between agents of a workspace+channel. */

export const TASK_STATES = ['working', 'input-required', 'completed', 'failed', 'canceled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** A task in one of these states is done: it takes messages no more and never changes state. */
export const FINAL_TASK_STATES: ReadonlySet<TaskState> = new Set(['completed', 'failed', 'canceled']);

/** Messages a task keeps; past it the oldest go. */
export const TASK_MESSAGES_KEPT = 100;

export interface TaskMessage {
  agent: string;
  text: string;
  ts: string;
  /** The state this message moved the task to, if it did. */
  state?: TaskState | undefined;
}

export interface TaskRecord {
  id: string;
  workspaceId: string;
  channelId: string;
  from: string;
  to: string | undefined;
  description: string;
  state: TaskState;
  /** Bumped by one on every change. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  messages: TaskMessage[];
}

export interface TaskFilter {
  to?: string | undefined;
  open?: boolean;
  limit: number;
}

export interface TaskStore {
  create(task: Omit<TaskRecord, 'revision' | 'updatedAt'>): Promise<TaskRecord>;
  get(workspaceId: string, id: string): Promise<TaskRecord | undefined>;
  /** Newest first. */
  list(workspaceId: string, channelId: string, filter: TaskFilter): Promise<TaskRecord[]>;
  /**
   * Read, change, compare-and-set on the revision, retried: `change` may run more than once
   * and must only compute (throw to refuse). Undefined when there is no such task.
   */
  update(
    workspaceId: string,
    id: string,
    change: (task: TaskRecord) => Pick<TaskRecord, 'state' | 'messages'>,
  ): Promise<TaskRecord | undefined>;
}
