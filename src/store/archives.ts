/** One archived output, as `ctx_expand action=list` shows it. */
export interface ArchiveMeta {
  id: string;
  tool: string;
  /** What was archived, for the list view (a path, a pattern). */
  label: string;
  chars: number;
  lines: number;
  /** o200k tokens of the whole text; absent when the caller did not need it (counting costs ms). */
  tokens?: number;
  createdAt: string;
}

export interface ArchiveEntry {
  meta: ArchiveMeta;
  text: string;
}

/** How long an archived output is kept for `ctx_expand`. */
export const ARCHIVE_TTL_MS = 48 * 60 * 60 * 1000;

/**
 * The archives behind `ctx_expand` ids, where replicas on separate hosts share them (the
 * PostgreSQL store). Without it they stay in the workspace's data dir (src/engine/archive.ts).
 * Ids are content hashes: a put of an id already stored keeps the first copy.
 */
export interface ArchiveStore {
  put(workspaceId: string, entry: ArchiveEntry): Promise<void>;
  get(workspaceId: string, id: string): Promise<ArchiveEntry | undefined>;
  /** Newest first, at most `limit`. */
  list(workspaceId: string, limit: number): Promise<ArchiveMeta[]>;
  /** Removes archives created before `olderThan` (ISO); returns how many. */
  prune(olderThan: string): Promise<number>;
}
