import { AppError } from '../errors.ts';
import { ALWAYS_ALLOWED, workflowScope } from '../sessions/workflow-spec.ts';
import type { ServerDeps } from './deps.ts';

/**
 * Refuses a tool the calling context's workflow state does not allow. Every call passes
 * here (REST, MCP and the inner call of ctx_call alike). `generation`, from the call's
 * admission, lets a replica answer from the gate it cached at that generation.
 */
export async function checkWorkflow(
  deps: ServerDeps,
  tool: string,
  workspaceId: string,
  tokenId: string,
  contextId: string | undefined,
  generation: string | undefined,
): Promise<void> {
  if (ALWAYS_ALLOWED.has(tool)) return;
  const gate = await deps.store.workflows.gate(workspaceId, workflowScope(tokenId, contextId), generation);
  if (!gate?.allowedTools || gate.allowedTools.includes(tool)) return;
  throw new AppError(
    'workflow_denied',
    `${tool} is not allowed in state "${gate.state}" of workflow "${gate.name}"; allowed: ${gate.allowedTools.join(', ')}; ctx_workflow transition or stop lifts it`,
    { tool, workflow: gate.name, state: gate.state, allowed: gate.allowedTools },
  );
}
