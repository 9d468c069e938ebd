import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { ToolError } from '../../errors.ts';
import type { Workspace } from '../../tools/workspace.ts';
import { isSecretPath } from '../secrets.ts';

/** Limits on what a read may load: whole-file modes stay small, `lines:` may page through more. */
export const READ_LIMITS = {
  /** full, diff, aggressive, entropy, task, auto. */
  wholeBytes: 1024 * 1024,
  /** map, signatures, reference: the answer is small even when the file is not. */
  outlineBytes: 8 * 1024 * 1024,
  /** lines:N-M pages through anything up to this. */
  linesBytes: 64 * 1024 * 1024,
} as const;

export type LoadLimit = keyof typeof READ_LIMITS;

export interface LoadedFile {
  rel: string;
  abs: string;
  text: string;
  /** sha256 of the bytes, hex. */
  hash: string;
  bytes: number;
  lineCount: number;
  mtimeMs: number;
}

/** Lines as an editor counts them: a trailing newline does not start another line. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n - 1 : n;
}

function looksBinary(buf: Buffer): boolean {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return true;
  let odd = 0;
  for (const b of head) if (b < 9 || (b > 13 && b < 32)) odd++;
  return head.length > 0 && odd / head.length > 0.1;
}

/**
 * Loads a workspace file for reading, or throws a ToolError that says why not and what
 * to do instead: outside the root, a secret, missing, a directory, binary, or too big.
 */
export async function loadFile(
  workspace: Workspace,
  path: string,
  limit: LoadLimit,
  signal?: AbortSignal,
): Promise<LoadedFile> {
  const { abs, rel } = workspace.jail.resolve(path);
  if (isSecretPath(rel)) {
    throw new ToolError(
      `"${rel}" looks like a secret file (.env, key, credentials); reads of it are refused`,
    );
  }
  const info = await stat(abs).catch(() => undefined);
  if (!info) throw new ToolError(`file not found: "${path}"; ctx_tree or ctx_search show what exists`);
  if (info.isDirectory()) throw new ToolError(`"${rel}" is a directory; ctx_tree lists its contents`);
  if (!info.isFile()) throw new ToolError(`"${rel}" is not a regular file`);
  const max = READ_LIMITS[limit];
  if (info.size > max) {
    const hint =
      limit === 'linesBytes'
        ? 'this file is too large to read here'
        : limit === 'outlineBytes'
          ? 'read a slice with mode lines:N-M'
          : 'use mode map or signatures for its structure, or lines:N-M for a slice';
    throw new ToolError(`"${rel}" is ${info.size} bytes, over the ${max}-byte limit for this mode; ${hint}`);
  }
  const buf = await readFile(abs, { signal });
  if (looksBinary(buf)) {
    throw new ToolError(`"${rel}" is a binary file (${buf.length} bytes); only text files can be read`);
  }
  const text = buf.toString('utf8');
  return {
    rel,
    abs,
    text,
    hash: createHash('sha256').update(buf).digest('hex'),
    bytes: buf.length,
    lineCount: countLines(text),
    mtimeMs: info.mtimeMs,
  };
}
