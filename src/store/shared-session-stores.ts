import type { AgentStore } from './agents.ts';
import type { HandoffStore, ShareStore } from './handoffs.ts';
import type { SessionStore } from './sessions.ts';
import type { TaskStore } from './tasks.ts';
import type { WorkflowStore } from './workflows.ts';

/** What agents on a workspace+channel share: session, presence, tasks, workflows, handoffs, views. */
export interface SharedSessionStores {
  readonly sessions: SessionStore;
  readonly agents: AgentStore;
  readonly tasks: TaskStore;
  readonly workflows: WorkflowStore;
  readonly handoffs: HandoffStore;
  readonly shares: ShareStore;
}
