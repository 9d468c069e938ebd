/**
 * Workflow runs: one per workspace and calling context (an MCP session, a REST contextId, or
 * a token without one). The gate reads only `state` and `allowedTools`, on every call.
 */

export interface WorkflowStateSpec {
  /** Tools this state allows; undefined = every tool. */
  allowed_tools?: string[] | undefined;
  transitions: string[];
  /** Evidence keys a transition into this state needs. */
  requires_evidence: string[];
}

export interface WorkflowSpec {
  name: string;
  initial: string;
  states: Record<string, WorkflowStateSpec>;
}

export interface Evidence {
  value: string;
  agent: string;
  ts: string;
}

export interface WorkflowTransition {
  from: string;
  to: string;
  agent: string;
  ts: string;
}

export interface WorkflowRun {
  workspaceId: string;
  /** The calling context it binds (see workflowScope). */
  scope: string;
  spec: WorkflowSpec;
  state: string;
  evidence: Record<string, Evidence>;
  history: WorkflowTransition[];
  revision: number;
  startedBy: string;
  startedAt: string;
  updatedAt: string;
}

/** What the per-call gate needs. */
export interface WorkflowGate {
  name: string;
  state: string;
  allowedTools: readonly string[] | undefined;
}

export interface WorkflowStore {
  /**
   * The gate of the context's run, or undefined when it runs none. `generation` is the
   * workspace's workflow generation in Redis, when the caller knows it: a store that caches
   * gates may answer from a read made at that generation (see withWorkflowGenerations).
   */
  gate(workspaceId: string, scope: string, generation?: string): Promise<WorkflowGate | undefined>;
  get(workspaceId: string, scope: string): Promise<WorkflowRun | undefined>;
  /** Starts a run, replacing the context's previous one (returned). */
  start(run: Omit<WorkflowRun, 'revision'>): Promise<{ run: WorkflowRun; replaced: WorkflowRun | undefined }>;
  /**
   * Read, change, compare-and-set on the revision, retried: `change` may run more than once
   * and must only compute (throw to refuse). Undefined when the context runs no workflow.
   */
  update(
    workspaceId: string,
    scope: string,
    change: (run: WorkflowRun) => Pick<WorkflowRun, 'state' | 'evidence' | 'history'>,
  ): Promise<WorkflowRun | undefined>;
  stop(workspaceId: string, scope: string): Promise<WorkflowRun | undefined>;
}
