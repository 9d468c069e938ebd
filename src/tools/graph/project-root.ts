import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { createWorkspace, defineWorkspaceService, type Workspace } from '../../engine/workspace.ts';
import { ToolError } from '../../errors.ts';
import type { ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';

/** Project roots of one workspace with a graph open at once; past it the least recently used closes. */
export const MAX_PROJECT_ROOTS = 8;
/** An evicted project root closes this long after, so a query still running on it can finish. */
const CLOSE_GRACE_MS = 60_000;

/** The `root` / `project_root` argument of the graph tools. */
export const projectRootArg = z
  .string()
  .max(INPUT_LIMITS.globChars)
  .optional()
  .describe(
    'A sub-directory of the workspace (e.g. "packages/api") to scope the graph to: its own graph, with paths relative to it',
  );

interface ProjectRoots {
  get(rel: string, abs: string): Workspace;
  close(): Promise<void>;
}

/**
 * A monorepo package as a workspace of its own: jailed to the sub-directory, with its own
 * graph and state under the workspace's data dir, and the server's excluded paths still out.
 */
const projectRootsOf = defineWorkspaceService('project roots', (workspace): ProjectRoots => {
  const open = new Map<string, Workspace>();
  const closing = new Map<NodeJS.Timeout, Workspace>();
  return {
    get(rel, abs) {
      const known = open.get(rel);
      if (known) {
        open.delete(rel);
        open.set(rel, known);
        return known;
      }
      const dir = createHash('sha256').update(rel).digest('hex').slice(0, 16);
      const sub = createWorkspace({
        id: workspace.id,
        label: `${workspace.label}/${rel}`,
        root: abs,
        dataDir: join(workspace.dataDir(), 'project-roots', dir),
        exclude: workspace.jail.excluded.map((e) => join(workspace.root, e)),
      });
      open.set(rel, sub);
      if (open.size > MAX_PROJECT_ROOTS) {
        const [oldest, evicted] = open.entries().next().value as [string, Workspace];
        open.delete(oldest);
        const timer = setTimeout(() => {
          closing.delete(timer);
          void evicted.close();
        }, CLOSE_GRACE_MS);
        timer.unref();
        closing.set(timer, evicted);
      }
      return sub;
    },
    async close() {
      for (const timer of closing.keys()) clearTimeout(timer);
      const all = [...open.values(), ...closing.values()];
      closing.clear();
      open.clear();
      for (const ws of all) await ws.close();
    },
  };
});

/**
 * The context a graph tool runs in for `root`: the workspace itself when it is absent or
 * names the root, else the sub-directory as a workspace (jail-checked, must be a directory).
 */
export function withProjectRoot(ctx: ToolContext, root: string | undefined): ToolContext {
  if (root === undefined) return ctx;
  const resolved = ctx.workspace.jail.resolve(root);
  if (resolved.rel === '.') return ctx;
  if (!statSync(resolved.abs, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ToolError(
      `project root "${root}" is not a directory of the workspace; give a sub-directory such as "packages/api", or leave it out for the whole workspace`,
    );
  }
  return { ...ctx, workspace: projectRootsOf(ctx.workspace).get(resolved.rel, resolved.abs) };
}
