import { stat } from 'node:fs/promises';
import { isTestPath } from '../graph/test-files.ts';
import { isSecretPath } from '../secrets.ts';
import { walkFiles } from '../walker.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import { defineWorkspaceService, type Workspace } from '../workspace.ts';
import { mayDeclareRoutes, ROUTES_MAX_FILE_BYTES } from './extract-routes.ts';
import { mountRoutes } from './mount-routes.ts';
import type { Route, RouteMount } from './route.ts';

/** Files sent to a worker in one task. */
const BATCH_FILES = 64;
/** Tasks in flight at once. */
const LANES = 4;

interface Scanned {
  size: number;
  mtimeMs: number;
  routes: Route[];
  mounts: (RouteMount & { file: string })[];
  tokens: number;
}

/** Installed dependencies: their examples declare routes, the project does not. */
const VENDORED = /(^|\/)(node_modules|vendor|site-packages|\.venv)\//;

/** Routes per file, reused while the file's size and mtime hold. */
const routeCacheOf = defineWorkspaceService('route cache', () => new Map<string, Scanned>());

export interface RouteScan {
  routes: Route[];
  /** Source files looked at. */
  files: number;
  /** Tokens of each file that declares a route. */
  tokens: Map<string, number>;
}

/**
 * Every route the workspace declares. Test files and installed dependencies are left out: a test's `request(app).get('/x')`
 * calls a route, it does not declare one. Files are read through the jail, and only up to
 * ROUTES_MAX_FILE_BYTES.
 */
export async function scanRoutes(workspace: Workspace, signal?: AbortSignal): Promise<RouteScan> {
  const cache = routeCacheOf(workspace);
  const { files } = await walkFiles(workspace.root, '', { signal, exclude: workspace.jail.excluded });
  const candidates = files.filter(
    (rel) => mayDeclareRoutes(rel) && !isTestPath(rel) && !isSecretPath(rel) && !VENDORED.test(rel),
  );
  const todo: { rel: string; abs: string; size: number; mtimeMs: number }[] = [];
  const present = new Set<string>();
  for (const rel of candidates) {
    signal?.throwIfAborted();
    let abs: string;
    try {
      abs = workspace.jail.resolve(rel).abs;
    } catch {
      continue;
    }
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile() || info.size > ROUTES_MAX_FILE_BYTES) continue;
    present.add(rel);
    const hit = cache.get(rel);
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) continue;
    todo.push({ rel, abs, size: info.size, mtimeMs: info.mtimeMs });
  }
  for (const rel of cache.keys()) if (!present.has(rel)) cache.delete(rel);
  const batches: (typeof todo)[] = [];
  for (let i = 0; i < todo.length; i += BATCH_FILES) batches.push(todo.slice(i, i + BATCH_FILES));
  // a few tasks in flight, so a large workspace cannot fill the pool's queue
  let next = 0;
  const lane = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      const found = await runEngineTask(
        'routesOfFiles',
        batch.map((f) => ({ rel: f.rel, abs: f.abs })),
        { signal },
      );
      batch.forEach((f, i) => {
        const r = found[i] ?? { routes: [], mounts: [], tokens: 0 };
        cache.set(f.rel, { size: f.size, mtimeMs: f.mtimeMs, ...r });
      });
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  const routes: Route[] = [];
  const mounts: Scanned['mounts'] = [];
  const tokens = new Map<string, number>();
  for (const rel of present) {
    const hit = cache.get(rel);
    if (!hit || (hit.routes.length === 0 && hit.mounts.length === 0)) continue;
    routes.push(...hit.routes);
    mounts.push(...hit.mounts);
    tokens.set(rel, hit.tokens);
  }
  // scopes in one file that mount another file's routes (Actix `.configure`, `.service`)
  return { routes: mountRoutes(routes, mounts), files: present.size, tokens };
}
