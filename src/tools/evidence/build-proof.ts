import {
  type ContextProofV1,
  PROOF_SCHEMA,
  proofReadsOf,
  sealProof,
} from '../../engine/evidence/context-proof.ts';
import { ToolError } from '../../errors.ts';
import { EVIDENCE_KEPT_PER_CONTEXT } from '../../store/evidence.ts';
import { VERSION } from '../../version.ts';
import type { ToolContext } from '../define-tool.ts';

/** Decisions a proof carries at most (a channel keeps 100). */
const MAX_DECISIONS = 100;

/** The context a proof is about: the one named, else the caller's own. */
export function proofContextId(ctx: ToolContext, named: string | undefined): string {
  const id = named ?? ctx.contextId;
  if (id === undefined) {
    throw new ToolError(
      'this call has no context: pass context_id (an MCP session id or a REST contextId) or call with a contextId',
    );
  }
  return id;
}

/** A sealed ContextProofV1 of what one of the caller's contexts read, ran and decided. */
export async function buildContextProof(
  ctx: ToolContext,
  contextId: string,
  maxPaths: number,
): Promise<ContextProofV1> {
  const ws = ctx.workspace.id;
  const [evidence, usage, session] = await Promise.all([
    ctx.store.evidence.reads(ws, contextId, ctx.agentId, EVIDENCE_KEPT_PER_CONTEXT),
    ctx.store.usage.summary({ workspaceId: ws, agentId: ctx.agentId, contextId }),
    ctx.store.sessions.get(ws, ctx.channelId),
  ]);
  const { reads, omitted } = proofReadsOf(evidence.reads, maxPaths);
  const decisions = session.entries
    .filter((e) => e.kind === 'decision')
    .slice(-MAX_DECISIONS)
    .map((e) => ({ text: e.text, agent: e.agent, ts: e.ts, revision: e.revision }));
  return sealProof({
    schema: PROOF_SCHEMA,
    generatedAt: new Date().toISOString(),
    server: { name: 'leanctx', version: VERSION },
    workspaceId: ws,
    channelId: ctx.channelId,
    contextId,
    agentId: ctx.agentId,
    reads,
    readsOmitted: omitted,
    tools: usage.byTool.map((t) => ({
      tool: t.tool,
      calls: t.calls,
      errors: t.errors,
      tokensSent: t.tokensSent,
      tokensSaved: t.tokensSaved,
    })),
    decisions,
  });
}

/** Two or three lines a person reads before the JSON. */
export function summarizeProof(proof: ContextProofV1, writtenTo?: string): string {
  const calls = proof.tools.reduce((n, t) => n + t.calls, 0);
  const lines = [
    `ContextProofV1 of context ${proof.contextId} (workspace ${proof.workspaceId}, agent ${proof.agentId}): ${proof.reads.length} files read${proof.readsOmitted ? ` (+${proof.readsOmitted} left out by max_evidence)` : ''}, ${calls} tool calls over ${proof.tools.length} tools, ${proof.decisions.length} decisions; ${proof.digest}`,
  ];
  if (proof.reads.length === 0) lines.push('no reads are recorded for this context yet');
  if (writtenTo) lines.push(`written to ${writtenTo}; check it later with ctx_verify path="${writtenTo}"`);
  return lines.join('\n');
}
