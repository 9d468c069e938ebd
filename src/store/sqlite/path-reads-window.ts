import type Database from 'better-sqlite3';
import type { PathReads, PathReadsFilter } from '../types.ts';

/**
 * Reads per path over a window of days: the days before today never change (rows are
 * written with the time of the call), so their sums are computed once and kept, sorted;
 * each query adds today's rows and takes the top. A store bumps `generation` when it writes
 * a row dated before its day (an import, a test), which drops what was kept.
 */

interface Past {
  /** Most read first. */
  sorted: PathReads[];
  byKey: Map<string, PathReads>;
}

/** Windows kept per thread; each holds one row per path read in it. */
const MAX_KEPT = 8;
const kept = new Map<string, Past>();

const keyOf = (r: { workspaceId: string; path: string }) => `${r.workspaceId}\u0000${r.path}`;
const byReads = (a: PathReads, b: PathReads) =>
  b.reads - a.reads ||
  (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
  (a.workspaceId < b.workspaceId ? -1 : a.workspaceId > b.workspaceId ? 1 : 0);

export interface WindowQuery {
  /** `SELECT workspace_id AS workspaceId, path, SUM(reads) …` over `day >= @from AND day < @to`, grouped by workspace and path. */
  sql: string;
  params: Record<string, string | number>;
}

export function windowedPathReads(
  db: Database.Database,
  filter: PathReadsFilter & { sinceDay: string },
  query: WindowQuery,
  cache: { id: string; generation: number },
  today = new Date().toISOString().slice(0, 10),
): PathReads[] {
  const run = (from: string, to: string) =>
    db.prepare<Record<string, string | number>, PathReads>(query.sql).all({ ...query.params, from, to });
  if (filter.sinceDay >= today) return run(filter.sinceDay, '9999').sort(byReads).slice(0, filter.limit);
  const key = JSON.stringify([
    cache.id,
    cache.generation,
    today,
    filter.sinceDay,
    filter.dirs ?? false,
    filter.under ?? '',
    filter.workspaceIds ?? null,
  ]);
  let past = kept.get(key);
  if (!past) {
    const sorted = run(filter.sinceDay, today).sort(byReads);
    past = { sorted, byKey: new Map(sorted.map((r) => [keyOf(r), r])) };
    if (kept.size >= MAX_KEPT) kept.delete(kept.keys().next().value as string);
    kept.set(key, past);
  }
  const fresh = run(today, '9999');
  // untouched paths keep their order: the top `limit` of them is among the first limit + |fresh|
  const touched = new Set(fresh.map(keyOf));
  const merged = fresh.map((r) => {
    const p = (past as Past).byKey.get(keyOf(r));
    return p
      ? {
          workspaceId: r.workspaceId,
          path: r.path,
          reads: p.reads + r.reads,
          tokensSent: p.tokensSent + r.tokensSent,
          tokensRaw: p.tokensRaw + r.tokensRaw,
          lastTs: r.lastTs > p.lastTs ? r.lastTs : p.lastTs,
        }
      : r;
  });
  const candidates = past.sorted.slice(0, filter.limit + touched.size).filter((r) => !touched.has(keyOf(r)));
  return [...candidates, ...merged].sort(byReads).slice(0, filter.limit);
}
