import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ToolError } from '../errors.ts';

export interface ResolvedPath {
  /** Absolute, symlinks followed, inside the root. */
  abs: string;
  /** Relative to the root with forward slashes; "." for the root itself. */
  rel: string;
}

export interface WorkspaceJail {
  readonly root: string;
  /** Resolves a client path inside the root or throws a ToolError naming the problem. */
  resolve(path: string): ResolvedPath;
  /** The root-relative form of an absolute path already known to be inside. */
  toRel(abs: string): string;
}

const MAX_PATH_LENGTH = 4096;

function isInside(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Follows symlinks of the longest existing prefix, so a not-yet-existing path is judged too. */
function realpathOfExistingPrefix(abs: string): string {
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = realpathSync(head);
      return tail.length === 0 ? real : resolve(real, ...tail.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const parent = resolve(head, '..');
      if (parent === head) return abs;
      tail.push(head.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
      head = parent;
    }
  }
}

/**
 * Every path a tool touches goes through here. A path is refused when it has a NUL byte,
 * climbs out of the root with `..`, is absolute outside the root, or reaches outside the
 * root through a symlink.
 */
export function createWorkspaceJail(root: string): WorkspaceJail {
  const realRoot = realpathSync(root);
  const toRel = (abs: string) => {
    const rel = relative(realRoot, abs);
    return rel === '' ? '.' : rel.split(sep).join('/');
  };
  return {
    root: realRoot,
    toRel,
    resolve(path: string): ResolvedPath {
      if (typeof path !== 'string') throw new ToolError('path must be a string');
      if (path.includes('\0')) throw new ToolError(`path refused: it contains a NUL byte`);
      if (path.length > MAX_PATH_LENGTH)
        throw new ToolError(`path refused: longer than ${MAX_PATH_LENGTH} characters`);
      const given = path.trim() === '' ? '.' : path;
      const lexical = isAbsolute(given) ? resolve(given) : resolve(realRoot, given);
      if (!isInside(realRoot, lexical) && !isInside(root, lexical)) {
        throw new ToolError(
          `path refused: "${path}" is outside the workspace root; use a path relative to the workspace (e.g. "src/index.ts")`,
        );
      }
      const inRealRoot = isInside(realRoot, lexical) ? lexical : resolve(realRoot, relative(root, lexical));
      const real = realpathOfExistingPrefix(inRealRoot);
      if (!isInside(realRoot, real)) {
        throw new ToolError(`path refused: "${path}" leads outside the workspace root through a symlink`);
      }
      return { abs: real, rel: toRel(real) };
    },
  };
}
