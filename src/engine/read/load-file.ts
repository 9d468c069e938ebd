import { createHash } from 'node:crypto';
import { readFileSync, type Stats, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { ToolError } from '../../errors.ts';
import { isSecretPath } from '../secrets.ts';
import { defineWorkspaceService, type Workspace } from '../workspace.ts';

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

/** Files this small are read synchronously: one blocking read beats three thread-pool hops. */
const SYNC_READ_BYTES = 64 * 1024;
const RECENT_MAX_FILES = 512;
const RECENT_MAX_BYTES = 64 * 1024 * 1024;

interface Recent {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  file: LoadedFile;
}

/**
 * Recently loaded files of a workspace, reused while size, mtime, ctime and inode are
 * unchanged, so a re-read costs one stat instead of a read, a decode and a hash.
 */
const recentFiles = defineWorkspaceService('recently loaded files', () => {
  const byPath = new Map<string, Recent>();
  let bytes = 0;
  return {
    get(abs: string, info: Stats): LoadedFile | undefined {
      const hit = byPath.get(abs);
      if (!hit) return undefined;
      if (
        hit.size !== info.size ||
        hit.mtimeMs !== info.mtimeMs ||
        hit.ctimeMs !== info.ctimeMs ||
        hit.ino !== info.ino
      ) {
        byPath.delete(abs);
        bytes -= hit.size;
        return undefined;
      }
      byPath.delete(abs);
      byPath.set(abs, hit);
      return hit.file;
    },
    set(abs: string, info: Stats, file: LoadedFile) {
      const old = byPath.get(abs);
      if (old) bytes -= old.size;
      byPath.set(abs, {
        size: info.size,
        mtimeMs: info.mtimeMs,
        ctimeMs: info.ctimeMs,
        ino: info.ino,
        file,
      });
      bytes += info.size;
      for (const [key, entry] of byPath) {
        if (byPath.size <= RECENT_MAX_FILES && bytes <= RECENT_MAX_BYTES) break;
        byPath.delete(key);
        bytes -= entry.size;
      }
    },
  };
});

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
  // A stat is a few microseconds; through the thread pool it costs tens.
  let info: Stats | undefined;
  try {
    info = statSync(abs);
  } catch {
    info = undefined;
  }
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
  const recent = recentFiles(workspace);
  const known = recent.get(abs, info);
  if (known) return known.rel === rel ? known : { ...known, rel };
  const buf = info.size <= SYNC_READ_BYTES ? readFileSync(abs) : await readFile(abs, { signal });
  if (looksBinary(buf)) {
    throw new ToolError(`"${rel}" is a binary file (${buf.length} bytes); only text files can be read`);
  }
  const text = buf.toString('utf8');
  const file: LoadedFile = {
    rel,
    abs,
    text,
    hash: createHash('sha256').update(buf).digest('hex'),
    bytes: buf.length,
    lineCount: countLines(text),
    mtimeMs: info.mtimeMs,
  };
  // A file that changed while it was read (size differs from the stat) is not remembered.
  if (buf.length === info.size) recent.set(abs, info, file);
  return file;
}
