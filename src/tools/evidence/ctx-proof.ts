import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../engine/edit/atomic-write.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';
import { buildContextProof, proofContextId, summarizeProof } from './build-proof.ts';

/** Where written proofs go, relative to the workspace root. */
export const PROOFS_DIR = '.lean-ctx/proofs';

export const ctxProof = defineTool({
  name: 'ctx_proof',
  description:
    'Export a ContextProofV1 JSON record of a context: files read with the sha256 of the bytes sent, tools run, decisions taken. Check it later with ctx_verify. write=true saves it under .lean-ctx/proofs/ (needs exec).',
  scope: 'search',
  scopesFor: (args) => (args.write ? ['search', 'exec'] : ['search']),
  readOnly: (args) => !args.write,
  input: z.object({
    action: z.enum(['export']).default('export'),
    context_id: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('The context to prove (MCP session id or REST contextId); default: this call’s own'),
    format: z.enum(['json', 'summary', 'both']).default('both'),
    write: z
      .boolean()
      .default(false)
      .describe('Also write the JSON to .lean-ctx/proofs/ (needs the exec scope)'),
    filename: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.json$/,
        'a plain file name ending in .json, e.g. "review-42.json"',
      )
      .optional(),
    max_evidence: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(50)
      .describe('Most files listed, newest reads first'),
  }),
  async run(args, ctx) {
    const contextId = proofContextId(ctx, args.context_id);
    if (args.write && !ctx.workspace.allowExec) {
      throw new ToolError(
        `write=true writes a file; workspace "${ctx.workspace.id}" does not set allowExec: true. Call without write to get the JSON in the answer`,
      );
    }
    const proof = await buildContextProof(ctx, contextId, args.max_evidence);
    const json = JSON.stringify(proof, null, 2);
    let writtenTo: string | undefined;
    if (args.write) {
      const name =
        args.filename ?? `proof-${proof.generatedAt.replace(/[:.]/g, '-')}-${proof.digest.slice(7, 19)}.json`;
      const { abs, rel } = ctx.workspace.jail.resolve(`${PROOFS_DIR}/${name}`);
      await mkdir(dirname(abs), { recursive: true });
      await writeFileAtomic(abs, `${json}\n`);
      writtenTo = rel;
    }
    ctx.emit('proof_added', {
      contextId,
      reads: proof.reads.length,
      digest: proof.digest,
      ...(writtenTo ? { path: writtenTo } : {}),
    });
    if (args.format === 'json') return json;
    const summary = summarizeProof(proof, writtenTo);
    return args.format === 'summary' ? summary : `${summary}\n${json}`;
  },
});
