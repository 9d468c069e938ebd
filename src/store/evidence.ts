/**
 * Context evidence: which file bytes (by sha256) a context was sent, so a proof of that
 * context can be exported and checked later. One row per context, path and hash; a
 * backend twin needs the three methods below and nothing else.
 */

/** Distinct (path, hash) pairs one context keeps; past it the least recently read go. */
export const EVIDENCE_KEPT_PER_CONTEXT = 2000;

export interface ReadEvidence {
  workspaceId: string;
  contextId: string;
  /** Token id of the reader. */
  agentId: string;
  /** Workspace-relative path. */
  path: string;
  /** sha256 (hex) of the file's bytes the answer was made from. */
  sha256: string;
  bytes: number;
  /** The tool that read it (ctx_read, ctx_multi_read …). */
  tool: string;
  ts?: string;
}

/** One (path, hash) of a context with how often and when it was read. */
export interface ReadEvidenceSummary {
  path: string;
  sha256: string;
  bytes: number;
  reads: number;
  firstTs: string;
  lastTs: string;
  tools: string[];
}

export interface EvidenceStore {
  /** Adds one read; the same path and hash again bumps its count and last time. */
  recordRead(read: ReadEvidence): Promise<void>;
  /**
   * What one agent's context read, newest first, at most `limit` pairs; `total` counts
   * every pair the store holds for it.
   */
  reads(
    workspaceId: string,
    contextId: string,
    agentId: string,
    limit: number,
  ): Promise<{ reads: ReadEvidenceSummary[]; total: number }>;
  /** Forgets a context's evidence; returns how many pairs went. */
  forget(workspaceId: string, contextId: string, agentId: string): Promise<number>;
}
