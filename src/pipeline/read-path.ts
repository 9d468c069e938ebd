import { posix } from 'node:path';

/** Tools whose `path` (or first of `paths`) names one file they read: what the heatmap counts. */
const FILE_READERS = new Set([
  'ctx_read',
  'ctx_multi_read',
  'ctx_smart_read',
  'ctx_delta',
  'ctx_outline',
  'ctx_analyze',
]);

/**
 * The workspace-relative file a call read, as its arguments name it (the same `path` its
 * event carries), normalised ("./src/a.ts" → "src/a.ts"); undefined for other tools and for
 * paths that are not plainly inside the workspace.
 */
export function readPathOf(tool: string, args: Record<string, unknown>): string | undefined {
  if (!FILE_READERS.has(tool)) return undefined;
  const first = Array.isArray(args.paths) ? args.paths[0] : undefined;
  const raw = typeof args.path === 'string' ? args.path : first;
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 200 || /\p{Cc}/u.test(raw))
    return undefined;
  const path = posix.normalize(raw.replaceAll('\\', '/'));
  if (path === '.' || path.startsWith('/') || path === '..' || path.startsWith('../')) return undefined;
  return path.replace(/\/+$/, '');
}
