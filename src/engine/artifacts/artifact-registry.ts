import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ToolError } from '../../errors.ts';
import type { DocumentChunks } from '../bm25/chunk-document.ts';
import { scoreChunks } from '../bm25/score-chunks.ts';
import { isSecretPath } from '../secrets.ts';
import { walkFiles } from '../walker.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import { createPacer } from '../workers/pacer.ts';
import { WorkerDeadlineError } from '../workers/worker-pool.ts';
import { defineWorkspaceService, type Workspace } from '../workspace.ts';
import { openArtifactFile, type StoredArtifact } from './artifact-file.ts';

/** Limits of the artifact registry (README: Limits). */
export const ARTIFACT_LIMITS = {
  /** Documents one workspace may register. */
  maxArtifacts: 1000,
  /** The largest document registered. */
  maxBytes: 2 * 1024 * 1024,
} as const;

/** What `index` picks up under a directory: documents, not code. */
export const DOCUMENT_EXTENSIONS = /\.(?:md|mdx|markdown|mdc|txt|rst|adoc|asciidoc|org)$/i;

/** Documents read and chunked at once. */
const LOAD_LANES = 4;
/** How long chunking one document on a worker may take. */
const CHUNK_DEADLINE_MS = 10_000;

export type ArtifactState = 'fresh' | 'changed' | 'missing';

export interface ArtifactInfo {
  path: string;
  name: string;
  bytes: number;
  sha256: string;
  chunks: number;
  addedAt: string;
  indexedAt: string;
  state: ArtifactState;
}

export interface ArtifactHit {
  path: string;
  name: string;
  section: string;
  startLine: number;
  endLine: number;
  score: number;
  preview: string;
}

export interface IndexReport {
  added: string[];
  updated: string[];
  unchanged: string[];
  /** Registered documents that are gone from disk, now unregistered (reindex). */
  removed: string[];
  skipped: { path: string; reason: string }[];
}

export interface ArtifactRegistry {
  list(): Promise<ArtifactInfo[]>;
  /** Registers (or refreshes) documents: `target` is a file, a directory, or '' for the whole workspace. */
  index(target: string, opts: { name?: string | undefined; signal: AbortSignal }): Promise<IndexReport>;
  /** Re-reads registered documents (all, or the one named) that changed; drops missing ones. */
  reindex(which: string | undefined, signal: AbortSignal): Promise<IndexReport>;
  search(query: string, topK: number, signal: AbortSignal): Promise<{ hits: ArtifactHit[]; stale: number }>;
  /** Unregisters by path or name; returns the paths that went. */
  remove(which: string): Promise<string[]>;
  close(): void;
}

const emptyReport = (): IndexReport => ({ added: [], updated: [], unchanged: [], removed: [], skipped: [] });

export function createArtifactRegistry(workspace: Workspace): ArtifactRegistry {
  let file: ReturnType<typeof openArtifactFile> | undefined;
  let loaded: Map<string, StoredArtifact> | undefined;
  const records = (): Map<string, StoredArtifact> => {
    if (!loaded) {
      file = openArtifactFile(join(workspace.dataDir(), 'artifacts.sqlite'));
      loaded = file.loadAll();
    }
    return loaded;
  };
  // registry changes run one after another, so two index calls cannot race on one document
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => {});
    return run;
  };

  /** A path as the registry keys it ("./docs/a.md" → "docs/a.md"); a name stays as given. */
  const matches = (which: string) => {
    let rel = which;
    try {
      rel = workspace.jail.resolve(which).rel;
    } catch {
      // not a path inside the workspace: only a name can match
    }
    return (a: StoredArtifact) => a.path === rel || a.name === which;
  };

  const stateOf = async (a: StoredArtifact): Promise<ArtifactState> => {
    const info = await stat(join(workspace.root, a.path)).catch(() => undefined);
    if (!info?.isFile()) return 'missing';
    return info.size === a.size && info.mtimeMs === a.mtimeMs ? 'fresh' : 'changed';
  };

  /** Reads and chunks one document through the jail; a reason string when it cannot be registered. */
  async function load(
    rel: string,
    name: string,
    old: StoredArtifact | undefined,
    signal: AbortSignal,
  ): Promise<StoredArtifact | 'unchanged' | string> {
    let abs: string;
    try {
      abs = workspace.jail.resolve(rel).abs;
    } catch (err) {
      if (err instanceof ToolError) return err.message;
      throw err;
    }
    if (isSecretPath(rel)) return 'looks like a secret file';
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile()) return 'not a regular file';
    if (info.size > ARTIFACT_LIMITS.maxBytes)
      return `${info.size} bytes, over the ${ARTIFACT_LIMITS.maxBytes}-byte limit`;
    if (old && old.size === info.size && old.mtimeMs === info.mtimeMs && old.name === name)
      return 'unchanged';
    const buf = await readFile(abs, { signal });
    if (buf.includes(0)) return 'binary, not text';
    const sha256 = createHash('sha256').update(buf).digest('hex');
    const now = new Date().toISOString();
    if (old && old.sha256 === sha256 && old.name === name) {
      return { ...old, size: info.size, mtimeMs: info.mtimeMs };
    }
    let chunked: DocumentChunks;
    try {
      chunked = await runEngineTask(
        'chunkDocument',
        { rel, text: buf.toString('utf8') },
        { signal, deadlineMs: CHUNK_DEADLINE_MS },
      );
    } catch (err) {
      if (err instanceof WorkerDeadlineError)
        return `chunking took longer than ${CHUNK_DEADLINE_MS / 1000} s`;
      throw err;
    }
    const { chunks, previews } = chunked;
    return {
      path: rel,
      name,
      size: info.size,
      mtimeMs: info.mtimeMs,
      sha256,
      addedAt: old?.addedAt ?? now,
      indexedAt: now,
      chunks,
      previews,
    };
  }

  async function apply(
    targets: { rel: string; name: string }[],
    signal: AbortSignal,
    report: IndexReport,
  ): Promise<IndexReport> {
    const all = records();
    // newcomers past the limit are refused before anything is read
    const room = Math.max(0, ARTIFACT_LIMITS.maxArtifacts - (all.size - report.removed.length));
    const newcomers = targets.filter((t) => !all.has(t.rel));
    const refused = new Set(newcomers.slice(room).map((t) => t.rel));
    for (const rel of refused) {
      report.skipped.push({
        path: rel,
        reason: `the registry holds at most ${ARTIFACT_LIMITS.maxArtifacts} documents; remove some first`,
      });
    }
    const work = targets.filter((t) => !refused.has(t.rel));
    const loaded: (StoredArtifact | string)[] = new Array(work.length);
    let next = 0;
    // a few documents at a time: reads overlap and the worker pool's threads all get one
    const lane = async () => {
      for (let i = next++; i < work.length; i = next++) {
        signal.throwIfAborted();
        const { rel, name } = work[i]!;
        loaded[i] = await load(rel, name, all.get(rel), signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOAD_LANES, work.length) }, lane));
    const put: StoredArtifact[] = [];
    for (const [i, got] of loaded.entries()) {
      const rel = work[i]!.rel;
      if (got === 'unchanged') report.unchanged.push(rel);
      else if (typeof got === 'string') report.skipped.push({ path: rel, reason: got });
      else {
        put.push(got);
        (all.has(rel) ? report.updated : report.added).push(rel);
      }
    }
    file!.write(put, report.removed);
    for (const a of put) all.set(a.path, a);
    for (const rel of report.removed) all.delete(rel);
    return report;
  }

  return {
    async list() {
      const all = [...records().values()].sort((a, b) => (a.path < b.path ? -1 : 1));
      return Promise.all(
        all.map(async (a) => ({
          path: a.path,
          name: a.name,
          bytes: a.size,
          sha256: a.sha256,
          chunks: a.chunks.length,
          addedAt: a.addedAt,
          indexedAt: a.indexedAt,
          state: await stateOf(a),
        })),
      );
    },
    index(target, { name, signal }) {
      return serial(async () => {
        const { abs, rel } = workspace.jail.resolve(target === '' ? '.' : target);
        const info = await stat(abs).catch(() => undefined);
        if (!info)
          throw new ToolError(`"${target}" does not exist; give a document or a directory of documents`);
        let rels: string[];
        if (info.isDirectory()) {
          if (name !== undefined)
            throw new ToolError('name labels one document; give path of a file, or leave name out');
          const start = rel === '.' ? '' : rel;
          const { files } = await walkFiles(workspace.root, start, {
            signal,
            exclude: workspace.jail.excluded,
          });
          rels = files.filter((f) => DOCUMENT_EXTENSIONS.test(f) && !isSecretPath(f));
          if (rels.length > ARTIFACT_LIMITS.maxArtifacts) {
            throw new ToolError(
              `${rels.length} documents under "${start || '.'}"; at most ${ARTIFACT_LIMITS.maxArtifacts} may be registered: index a narrower directory`,
            );
          }
        } else {
          rels = [rel];
        }
        const known = records();
        return apply(
          rels.map((r) => ({
            rel: r,
            name: r === rel && name !== undefined ? name : (known.get(r)?.name ?? basename(r)),
          })),
          signal,
          emptyReport(),
        );
      });
    },
    reindex(which, signal) {
      return serial(async () => {
        const all = [...records().values()].filter(which === undefined ? () => true : matches(which));
        if (which !== undefined && all.length === 0)
          throw new ToolError(`no artifact has path or name "${which}"; action=list shows them`);
        const report = emptyReport();
        const present: { rel: string; name: string }[] = [];
        for (const a of all) {
          if ((await stateOf(a)) === 'missing') report.removed.push(a.path);
          else present.push({ rel: a.path, name: a.name });
        }
        return apply(present, signal, report);
      });
    },
    async search(query, topK, signal) {
      const all = records();
      const pacer = createPacer(signal);
      const chunks = [...all.values()].flatMap((a) => a.chunks);
      const ranked = await scoreChunks(chunks, query, topK, pacer);
      const hits = ranked.map(({ chunk, score }) => {
        const a = all.get(chunk.path)!;
        const i = a.chunks.indexOf(chunk);
        return {
          path: chunk.path,
          name: a.name,
          section: chunk.symbol,
          startLine: chunk.startLine,
          endLine: chunk.endLine,
          score: Math.round(score * 1000) / 1000,
          preview: a.previews[i] ?? '',
        };
      });
      const stale = (
        await Promise.all([...new Set(hits.map((h) => h.path))].map((p) => stateOf(all.get(p)!)))
      ).filter((s) => s !== 'fresh').length;
      return { hits, stale };
    },
    remove(which) {
      return serial(async () => {
        const all = records();
        const gone = [...all.values()].filter(matches(which)).map((a) => a.path);
        if (gone.length === 0)
          throw new ToolError(`no artifact has path or name "${which}"; action=list shows them`);
        file!.write([], gone);
        for (const p of gone) all.delete(p);
        return gone;
      });
    },
    close() {
      file?.close();
      loaded = undefined;
      file = undefined;
    },
  };
}

/** The workspace's artifact registry, kept in its data dir. */
export const artifactsOf = defineWorkspaceService('artifact registry', createArtifactRegistry);
