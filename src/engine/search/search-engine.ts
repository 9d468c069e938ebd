import { stat } from 'node:fs/promises';
import { ToolError } from '../../errors.ts';
import { isSecretPath } from '../secrets.ts';
import { defineWorkspaceService } from '../workspace.ts';
import { type CompiledPattern, compileClientPattern } from './compile-pattern.ts';
import { type ContentIndexOptions, createContentIndex } from './content-index.ts';
import { RipgrepOverflow, RipgrepPatternError, ripgrepSearch } from './rg-search.ts';
import { scanFiles, scanSearch } from './scan-search.ts';
import type { SearchOutcome, SearchRequest } from './types.ts';

export interface SearchEngine {
  /** Regex search with ripgrep's rules; see docs/engine-search.md for which path answers. */
  search(req: SearchRequest): Promise<SearchOutcome>;
  /** Resolves once the in-memory index is built and current (benches, tests). */
  warm(): Promise<void>;
  indexStats(): ReturnType<ReturnType<typeof createContentIndex>['stats']>;
  close(): void;
}

// Two check phases with a poll phase between them: fs.watch events already queued by the
// kernel get delivered before we decide whether the index is current.
const flushWatchEvents = async () => {
  await new Promise((done) => setImmediate(done));
  await new Promise((done) => setImmediate(done));
};

export function createSearchEngine(root: string, opts: ContentIndexOptions = {}): SearchEngine {
  const index = createContentIndex(root, opts);
  const warmInBackground = () => {
    index.refresh().catch(() => {
      // a failed refresh leaves the index stale; the next search tries again
    });
  };

  async function cold(req: SearchRequest, pattern: CompiledPattern): Promise<SearchOutcome> {
    try {
      // ripgrep knows our ignore rules for the whole root; for a subdirectory it would skip
      // the root's .gitignore, so a subtree is scanned in-process unless gitignore is off.
      if (req.path === '' || req.ignoreGitignore) return await ripgrepSearch(root, req, opts.exclude);
      return await scanSearch(root, pattern, req, opts.exclude);
    } catch (err) {
      const fallback =
        err instanceof RipgrepPatternError ||
        err instanceof RipgrepOverflow ||
        (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (!fallback) throw err;
      if (req.ignoreGitignore) return scanSearch(root, pattern, req, opts.exclude);
      await index.refresh();
      return index.search(pattern, req);
    }
  }

  return {
    async search(req) {
      const pattern = await compileClientPattern(req.pattern, {
        ignoreCase: req.ignoreCase,
        signal: req.signal,
      });
      if (req.path !== '') {
        const info = await stat(`${root}/${req.path}`).catch(() => undefined);
        if (!info)
          throw new ToolError(`no such file or directory: "${req.path}"; ctx_tree lists what exists`);
        if (info.isFile()) {
          if (isSecretPath(req.path))
            throw new ToolError(`"${req.path}" looks like a secret file; not searched`);
          const ext = req.path.slice(req.path.lastIndexOf('.') + 1);
          const files = req.exts.length === 0 || req.exts.includes(ext) ? [req.path] : [];
          return scanFiles(root, files, pattern, req);
        }
      }
      if (!req.ignoreGitignore) {
        await flushWatchEvents();
        if (index.isFresh()) return index.search(pattern, req);
      }
      try {
        return await cold(req, pattern);
      } finally {
        warmInBackground();
      }
    },
    warm: () => (index.isFresh() ? Promise.resolve() : index.refresh()),
    indexStats: () => index.stats(),
    close: () => index.close(),
  };
}

/** The workspace's one search engine (its index lives as long as the workspace). */
export const searchEngineOf = defineWorkspaceService(
  'search engine',
  (workspace): SearchEngine => createSearchEngine(workspace.root, { exclude: workspace.jail.excluded }),
);
