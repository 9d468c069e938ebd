import { join } from 'node:path';
import { type Bm25Index, createBm25Index } from '../../engine/bm25/bm25-index.ts';
import type { Workspace } from '../../engine/workspace.ts';

/** The workspace's one BM25 index, shared by semantic search, overview, preload and prefetch; kept on disk. */
export const bm25Of = (workspace: Workspace): Bm25Index =>
  workspace.memo('bm25', () =>
    createBm25Index(workspace.root, {
      dbPath: join(workspace.dataDir(), 'bm25.sqlite'),
      exclude: workspace.jail.excluded,
    }),
  );
