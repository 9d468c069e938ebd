import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { ToolError } from '../../errors.ts';
import type { Workspace } from '../workspace.ts';
import { type ContextProofV1, proofDigest } from './context-proof.ts';

export type FileVerdict =
  | { path: string; state: 'match'; sha256: string }
  | { path: string; state: 'changed'; expected: string; actual: string; bytes: number }
  | { path: string; state: 'missing'; expected: string; reason: string };

export interface ProofVerdict {
  /** The record's digest matches its content (it was not edited after export). */
  digestValid: boolean;
  /** The proof was made for this workspace. */
  sameWorkspace: boolean;
  files: FileVerdict[];
  matched: number;
  changed: number;
  missing: number;
}

/** Files up to this size are hashed in one piece: a stream costs more than the hash. */
const WHOLE_HASH_BYTES = 256 * 1024;

/** sha256 of a file; a large one streamed in chunks, so it never holds the event loop. */
async function hashFile(abs: string, size: number, signal: AbortSignal): Promise<string> {
  if (size <= WHOLE_HASH_BYTES) {
    return createHash('sha256')
      .update(await readFile(abs, { signal }))
      .digest('hex');
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(abs, { signal, highWaterMark: 256 * 1024 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

async function verifyFile(
  workspace: Workspace,
  read: ContextProofV1['reads'][number],
  signal: AbortSignal,
): Promise<FileVerdict> {
  let abs: string;
  try {
    abs = workspace.jail.resolve(read.path).abs;
  } catch (err) {
    if (!(err instanceof ToolError)) throw err;
    return { path: read.path, state: 'missing', expected: read.sha256, reason: err.message };
  }
  const info = await stat(abs).catch(() => undefined);
  if (!info) return { path: read.path, state: 'missing', expected: read.sha256, reason: 'no such file' };
  if (!info.isFile()) {
    return { path: read.path, state: 'missing', expected: read.sha256, reason: 'not a regular file' };
  }
  const actual = await hashFile(abs, info.size, signal).catch((err: NodeJS.ErrnoException) => {
    signal.throwIfAborted();
    return `unreadable (${err.code ?? err.message})`;
  });
  if (actual === read.sha256) return { path: read.path, state: 'match', sha256: actual };
  return { path: read.path, state: 'changed', expected: read.sha256, actual, bytes: info.size };
}

/** Checks every read of a proof against the workspace as it is now, a few files at a time. */
export async function verifyProof(
  workspace: Workspace,
  proof: ContextProofV1,
  signal: AbortSignal,
): Promise<ProofVerdict> {
  const files: FileVerdict[] = new Array(proof.reads.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < proof.reads.length; i = next++) {
      files[i] = await verifyFile(workspace, proof.reads[i]!, signal);
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, proof.reads.length) }, worker));
  const count = (state: FileVerdict['state']) => files.filter((f) => f.state === state).length;
  return {
    digestValid: proofDigest(proof) === proof.digest,
    sameWorkspace: proof.workspaceId === workspace.id,
    files,
    matched: count('match'),
    changed: count('changed'),
    missing: count('missing'),
  };
}
