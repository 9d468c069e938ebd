import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { type ContextProofV1, contextProofSchema } from '../../engine/evidence/context-proof.ts';
import { type FileVerdict, type ProofVerdict, verifyProof } from '../../engine/evidence/verify-proof.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { buildContextProof, proofContextId } from './build-proof.ts';

/** The largest proof accepted, inline or as a file. */
export const MAX_PROOF_BYTES = 2 * 1024 * 1024;
/** Files of each verdict named in a summary; the JSON format lists all. */
const LISTED = 50;

function parseProof(text: string, where: string): ContextProofV1 {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ToolError(`${where} is not JSON (${(err as Error).message}); pass the JSON ctx_proof exported`);
  }
  return toProof(raw, where);
}

function toProof(raw: unknown, where: string): ContextProofV1 {
  const parsed = contextProofSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ToolError(
      `${where} is not a ContextProofV1: ${issue?.path.join('.') || '(root)'}: ${issue?.message}; export one with ctx_proof`,
    );
  }
  return parsed.data as ContextProofV1;
}

async function loadProof(
  args: { proof?: string | Record<string, unknown> | undefined; path?: string | undefined },
  ctx: ToolContext,
): Promise<ContextProofV1> {
  if (args.proof !== undefined && args.path !== undefined)
    throw new ToolError('give either proof or path, not both');
  if (typeof args.proof === 'string') return parseProof(args.proof, 'proof');
  if (args.proof !== undefined) return toProof(args.proof, 'proof');
  if (args.path === undefined) {
    throw new ToolError(
      'action=proof needs proof (the JSON ctx_proof exported) or path (a proof file in the workspace)',
    );
  }
  const { abs, rel } = ctx.workspace.jail.resolve(args.path);
  const info = await stat(abs).catch(() => undefined);
  if (!info?.isFile())
    throw new ToolError(`"${rel}" is not a file; ctx_proof write=true saves proofs under .lean-ctx/proofs/`);
  if (info.size > MAX_PROOF_BYTES)
    throw new ToolError(`"${rel}" is ${info.size} bytes; a proof may have at most ${MAX_PROOF_BYTES}`);
  return parseProof(await readFile(abs, { encoding: 'utf8', signal: ctx.signal }), `"${rel}"`);
}

function describe(f: FileVerdict): string {
  switch (f.state) {
    case 'changed':
      return `changed: ${f.path} (read at ${f.expected.slice(0, 12)}, now ${f.actual.slice(0, 12)})`;
    case 'missing':
      return `missing: ${f.path} (${f.reason})`;
    case 'match':
      return `match: ${f.path}`;
  }
}

function formatVerdict(proof: ContextProofV1, v: ProofVerdict, workspaceId: string): string {
  const lines = [
    `proof of context ${proof.contextId} (workspace ${proof.workspaceId}, generated ${proof.generatedAt}): ${v.files.length} files: ${v.matched} match, ${v.changed} changed, ${v.missing} missing; digest ${v.digestValid ? 'valid' : 'INVALID: the record was edited after export'}`,
  ];
  if (!v.sameWorkspace) {
    lines.push(
      `note: the proof was made for workspace "${proof.workspaceId}" and was checked against "${workspaceId}"`,
    );
  }
  // what needs attention first
  for (const state of ['changed', 'missing', 'match'] as const) {
    const files = v.files.filter((f) => f.state === state);
    for (const f of files.slice(0, LISTED)) lines.push(describe(f));
    if (files.length > LISTED) lines.push(`… ${files.length - LISTED} more ${state}; format=json lists all`);
  }
  return lines.join('\n');
}

export const ctxVerify = defineTool({
  name: 'ctx_verify',
  description:
    'Check a ContextProofV1 (from ctx_proof) against the workspace now: which files still have the hashes read, which changed, which are missing. action=stats checks this context’s own reads.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    action: z.enum(['proof', 'stats']).default('proof'),
    proof: z
      .union([z.string().max(MAX_PROOF_BYTES), z.record(z.string(), z.unknown())])
      .optional()
      .describe('The proof JSON (text or object) ctx_proof exported'),
    path: z
      .string()
      .min(1)
      .max(4096)
      .optional()
      .describe('A proof file in the workspace, e.g. .lean-ctx/proofs/x.json'),
    context_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('action=stats: the context to check; default this call’s own'),
    format: z.enum(['summary', 'json']).default('summary'),
  }),
  async run(args, ctx) {
    const proof =
      args.action === 'stats'
        ? await buildContextProof(ctx, proofContextId(ctx, args.context_id), 500)
        : await loadProof(args, ctx);
    const verdict = await verifyProof(ctx.workspace, proof, ctx.signal);
    if (args.format === 'json') {
      return JSON.stringify(
        { contextId: proof.contextId, workspaceId: proof.workspaceId, digest: proof.digest, ...verdict },
        null,
        2,
      );
    }
    return formatVerdict(proof, verdict, ctx.workspace.id);
  },
});
