import { join } from 'node:path';
import { type Bm25Index, createBm25Index } from '../../engine/bm25/bm25-index.ts';
import { defineWorkspaceService } from '../../engine/workspace.ts';

/** The workspace's one BM25 index, shared by semantic search, overview, preload and prefetch; kept on disk. */
export const bm25Of = defineWorkspaceService(
  'BM25 index',
  (workspace): Bm25Index =>
    createBm25Index(workspace.root, {
      dbPath: join(workspace.dataDir(), 'bm25.sqlite'),
      exclude: workspace.jail.excluded,
    }),
);
