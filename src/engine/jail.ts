import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ToolError } from '../errors.ts';

export interface ResolvedPath {
  /** Absolute, symlinks followed, inside the root. */
  abs: string;
  /** Relative to the root with forward slashes; "." for the root itself. */
  rel: string;
}

export interface WorkspaceJail {
  readonly root: string;
  /**
   * Root-relative paths (forward slashes) that no tool may read or list: the server's own
   * state that happens to lie inside the root. Listings skip them (walker, ripgrep).
   */
  readonly excluded: readonly string[];
  /** Resolves a client path inside the root or throws a ToolError naming the problem. */
  resolve(path: string): ResolvedPath;
  /** The root-relative form of an absolute path already known to be inside. */
  toRel(abs: string): string;
}

const MAX_PATH_LENGTH = 4096;

function isInside(root: string, abs: string): boolean {
  return abs === root || abs.startsWith(root.endsWith(sep) ? root : root + sep);
}

const MAX_SYMLINK_HOPS = 40;

const refusedOutside = (path: string) =>
  new ToolError(
    `path refused: "${path}" is outside the workspace root; use a path relative to the workspace (e.g. "src/index.ts")`,
  );

/**
 * Walks `segments` from the root one name at a time. `..` may not climb above the root,
 * and every symlink met on the way must point inside the root itself, so a link that
 * leaves and a second link that comes back in is refused too (realpath alone would pass
 * it). Names that do not exist yet are taken literally.
 */
function resolveInside(realRoot: string, segments: string[], path: string): string {
  let current = realRoot;
  let exists = true;
  let hops = 0;
  const pending = [...segments];
  while (pending.length > 0) {
    const seg = pending.shift()!;
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (current === realRoot) throw refusedOutside(path);
      current = dirname(current);
      continue;
    }
    const next = join(current, seg);
    if (exists) {
      let info: ReturnType<typeof lstatSync> | undefined;
      try {
        info = lstatSync(next);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new ToolError(`path refused: "${path}" (${code})`);
        exists = false;
      }
      if (info?.isSymbolicLink()) {
        if (++hops > MAX_SYMLINK_HOPS) throw new ToolError(`path refused: "${path}" is a symlink loop`);
        const target = resolve(current, readlinkSync(next));
        if (!isInside(realRoot, target)) {
          throw new ToolError(`path refused: "${path}" leads outside the workspace root through a symlink`);
        }
        pending.unshift(...relative(realRoot, target).split(sep));
        current = realRoot;
        continue;
      }
    }
    current = next;
  }
  return current;
}

/** True when `rel` is one of `excluded` or lies under one ("." excludes everything). */
export function isExcludedPath(excluded: readonly string[], rel: string): boolean {
  return excluded.some((e) => e === '.' || rel === e || rel.startsWith(`${e}/`));
}

/** The real path of `path`, for the part of it that exists; the rest is appended as given. */
function realpathOfExisting(path: string): string {
  const abs = resolve(path);
  try {
    return realpathSync(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(realpathOfExisting(parent), basename(abs));
  }
}

export interface JailOptions {
  /**
   * Files and directories never readable through this workspace, wherever they are (the
   * data dir, the audit log, the config file): refused by resolve and skipped by listings.
   */
  exclude?: readonly string[];
}

/**
 * Every path a tool touches goes through here. A path is refused when it has a NUL byte,
 * climbs out of the root with `..`, is absolute outside the root, reaches outside the root
 * through a symlink, or lands on an excluded path.
 */
export function createWorkspaceJail(root: string, opts: JailOptions = {}): WorkspaceJail {
  const realRoot = realpathSync(root);
  const absRoot = resolve(root);
  const toRel = (abs: string) => {
    const rel = relative(realRoot, abs);
    return rel === '' ? '.' : rel.split(sep).join('/');
  };
  const excluded = [
    ...new Set(
      (opts.exclude ?? [])
        .map(realpathOfExisting)
        .flatMap((real) =>
          isInside(realRoot, real) ? [toRel(real)] : isInside(real, realRoot) ? ['.'] : [],
        ),
    ),
  ];
  return {
    root: realRoot,
    excluded,
    toRel,
    resolve(path: string): ResolvedPath {
      if (typeof path !== 'string') throw new ToolError('path must be a string');
      if (path.includes('\0')) throw new ToolError(`path refused: it contains a NUL byte`);
      if (path.length > MAX_PATH_LENGTH)
        throw new ToolError(`path refused: longer than ${MAX_PATH_LENGTH} characters`);
      const given = path.trim() === '' ? '.' : path;
      let relGiven = given;
      if (isAbsolute(given)) {
        const lexical = resolve(given);
        const base = isInside(realRoot, lexical)
          ? realRoot
          : isInside(absRoot, lexical)
            ? absRoot
            : undefined;
        if (base === undefined) throw refusedOutside(path);
        relGiven = relative(base, lexical);
      }
      const real = resolveInside(realRoot, relGiven.split('/'), path);
      const rel = toRel(real);
      if (isExcludedPath(excluded, rel)) {
        throw new ToolError(
          `path refused: "${path}" is the server's own state (data dir, audit log or config), never readable through a workspace`,
        );
      }
      return { abs: real, rel };
    },
  };
}
