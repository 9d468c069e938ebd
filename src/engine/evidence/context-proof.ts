import { createHash } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../audit/canonical-json.ts';
import type { ReadEvidenceSummary } from '../../store/evidence.ts';

/** The schema id every ContextProofV1 carries. */
export const PROOF_SCHEMA = 'leanctx.context-proof.v1';

/** What a context read of one file: the last hash it was sent from, and the ones before. */
export interface ProofRead {
  path: string;
  sha256: string;
  bytes: number;
  reads: number;
  firstReadAt: string;
  lastReadAt: string;
  tools: string[];
  /** Hashes of this path read earlier in the context, oldest first (the file changed in between). */
  earlierSha256: string[];
}

export interface ProofToolRun {
  tool: string;
  calls: number;
  errors: number;
  tokensSent: number;
  tokensSaved: number;
}

export interface ProofDecision {
  text: string;
  agent: string;
  ts: string;
  revision: number;
}

/** A context's evidence (README: Context proofs). `digest` hashes everything else. */
export interface ContextProofV1 {
  schema: typeof PROOF_SCHEMA;
  generatedAt: string;
  server: { name: 'leanctx'; version: string };
  workspaceId: string;
  channelId: string;
  contextId: string;
  agentId: string;
  reads: ProofRead[];
  /** Paths read but left out by `max_evidence` (the least recently read). */
  readsOmitted: number;
  tools: ProofToolRun[];
  decisions: ProofDecision[];
  /** `sha256:` + hex of the RFC 8785 canonical JSON of the record without this field. */
  digest: string;
}

const sha256Hex = /^[0-9a-f]{64}$/;

/** The shape a proof must have to be verified; unknown fields are kept out of the check. */
export const contextProofSchema = z.object({
  schema: z.literal(PROOF_SCHEMA),
  generatedAt: z.string(),
  server: z.object({ name: z.literal('leanctx'), version: z.string() }),
  workspaceId: z.string(),
  channelId: z.string(),
  contextId: z.string(),
  agentId: z.string(),
  reads: z
    .array(
      z.object({
        path: z.string().min(1).max(4096),
        sha256: z.string().regex(sha256Hex),
        bytes: z.number().int().min(0),
        reads: z.number().int().min(0),
        firstReadAt: z.string(),
        lastReadAt: z.string(),
        tools: z.array(z.string()),
        earlierSha256: z.array(z.string().regex(sha256Hex)),
      }),
    )
    .max(2000),
  readsOmitted: z.number().int().min(0),
  tools: z.array(
    z.object({
      tool: z.string(),
      calls: z.number(),
      errors: z.number(),
      tokensSent: z.number(),
      tokensSaved: z.number(),
    }),
  ),
  decisions: z.array(z.object({ text: z.string(), agent: z.string(), ts: z.string(), revision: z.number() })),
  digest: z.string(),
});

/** The digest of a proof: over its canonical JSON, without the digest itself. */
export function proofDigest(proof: Omit<ContextProofV1, 'digest'> | ContextProofV1): string {
  const { digest: _digest, ...body } = proof as ContextProofV1;
  return `sha256:${createHash('sha256').update(canonicalJson(body)).digest('hex')}`;
}

/**
 * One entry per path from a context's (path, hash) pairs: the most recently read hash is
 * what the context last saw; older hashes of the same path are listed as earlier.
 */
export function proofReadsOf(pairs: readonly ReadEvidenceSummary[], maxPaths: number) {
  const byPath = new Map<string, ReadEvidenceSummary[]>();
  for (const p of pairs) byPath.set(p.path, [...(byPath.get(p.path) ?? []), p]);
  const reads: ProofRead[] = [];
  for (const [path, list] of byPath) {
    list.sort((a, b) => (a.lastTs < b.lastTs ? -1 : a.lastTs > b.lastTs ? 1 : 0));
    const last = list[list.length - 1]!;
    reads.push({
      path,
      sha256: last.sha256,
      bytes: last.bytes,
      reads: list.reduce((n, p) => n + p.reads, 0),
      firstReadAt: list.reduce((t, p) => (p.firstTs < t ? p.firstTs : t), last.firstTs),
      lastReadAt: last.lastTs,
      tools: [...new Set(list.flatMap((p) => p.tools))].sort(),
      earlierSha256: list.slice(0, -1).map((p) => p.sha256),
    });
  }
  reads.sort((a, b) => (a.lastReadAt > b.lastReadAt ? -1 : a.lastReadAt < b.lastReadAt ? 1 : 0));
  const kept = reads.slice(0, maxPaths).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { reads: kept, omitted: reads.length - kept.length };
}

/** Seals a proof with its digest. */
export function sealProof(body: Omit<ContextProofV1, 'digest'>): ContextProofV1 {
  return { ...body, digest: proofDigest(body) };
}
