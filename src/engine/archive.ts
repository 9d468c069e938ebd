import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARCHIVE_TTL_MS, type ArchiveEntry, type ArchiveMeta, type ArchiveStore } from '../store/archives.ts';
import { countTokens } from './tokens.ts';
import { defineWorkspaceService, type Workspace } from './workspace.ts';

export type { ArchiveMeta } from '../store/archives.ts';

export interface Archive {
  /** Stores the whole text and returns its id; the same text gives the same id (stored once). */
  put(text: string, tool: string, label: string, opts?: { countTokens?: boolean }): ArchiveMeta;
  /** From this replica's files, else from the shared store when there is one. */
  get(id: string): Promise<ArchiveEntry | undefined>;
  list(): Promise<ArchiveMeta[]>;
  /**
   * Shares every archive put from now on with `store` (replicas on separate data dirs); the
   * puts are written there by `flush()`, which a call awaits before its answer names the ids.
   */
  shareTo(store: ArchiveStore): void;
  /** Writes the archives put since the last flush to the shared store; a failed one is retried next time. */
  flush(): Promise<void>;
}

/** Archives listed at most. */
const LIST_LIMIT = 500;
const ID_PATTERN = /^[a-f0-9]{16}$/;

/** Full outputs that a reply had to cut, so `ctx_expand` can hand back the rest. */
export function createArchive(dir: string, workspaceId: string, now: () => number = Date.now): Archive {
  let shared: ArchiveStore | undefined;
  /** Ids put since the last flush; kept only while sharing. */
  const unshared = new Set<string>();
  /** Ids the shared store holds (written by this replica): not written again. */
  const known = new Set<string>();
  const remember = (id: string) => {
    if (shared && !known.has(id)) unshared.add(id);
  };
  const writing = new Set<Promise<void>>();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const prune = () => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      try {
        if (now() - statSync(file).mtimeMs > ARCHIVE_TTL_MS) rmSync(file, { force: true });
      } catch {
        // removed meanwhile
      }
    }
  };
  prune();
  const readMeta = (id: string): ArchiveMeta | undefined => {
    try {
      return JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as ArchiveMeta;
    } catch {
      return undefined;
    }
  };
  const readLocal = (id: string): ArchiveEntry | undefined => {
    try {
      const text = readFileSync(join(dir, `${id}.txt`), 'utf8');
      const meta = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as ArchiveMeta;
      return { text, meta };
    } catch {
      return undefined;
    }
  };
  const archive: Archive = {
    put(text, tool, label, opts = {}) {
      const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
      const wantTokens = opts.countTokens ?? true;
      const stored = readMeta(id);
      if (stored && (stored.tokens !== undefined || !wantTokens)) {
        remember(id);
        return stored;
      }
      const meta: ArchiveMeta = {
        id,
        tool,
        label,
        chars: text.length,
        lines: text.split('\n').length,
        ...(wantTokens ? { tokens: countTokens(text) } : {}),
        createdAt: new Date(now()).toISOString(),
      };
      // write then rename: another process on the same data dir never reads half a file
      const tmp = join(dir, `.${id}.${process.pid}.tmp`);
      writeFileSync(tmp, text, { mode: 0o600 });
      renameSync(tmp, join(dir, `${id}.txt`));
      writeFileSync(tmp, JSON.stringify(meta), { mode: 0o600 });
      renameSync(tmp, join(dir, `${id}.json`));
      known.delete(id);
      remember(id);
      return meta;
    },
    async get(id) {
      if (!ID_PATTERN.test(id)) return undefined;
      return readLocal(id) ?? (await shared?.get(workspaceId, id));
    },
    async list() {
      if (shared) return shared.list(workspaceId, LIST_LIMIT);
      prune();
      return readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as ArchiveMeta)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1))
        .slice(0, LIST_LIMIT);
    },
    shareTo(store) {
      shared = store;
    },
    async flush() {
      const store = shared;
      if (store) {
        for (const id of [...unshared]) {
          unshared.delete(id);
          const entry = readLocal(id);
          if (!entry) continue;
          const write = store.put(workspaceId, entry).then(
            () => {
              // a bound, not a cache policy: forgetting only costs one idempotent write
              if (known.size >= 100_000) known.clear();
              known.add(id);
            },
            (err: unknown) => {
              unshared.add(id);
              throw err;
            },
          );
          writing.add(write);
          void write.catch(() => undefined).finally(() => writing.delete(write));
        }
      }
      // Also the writes another call started: this call's answer may name the same ids.
      const results = await Promise.allSettled([...writing]);
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
  return archive;
}

export const archiveOf = defineWorkspaceService(
  'archive',
  (workspace): Archive => createArchive(join(workspace.dataDir(), 'archives'), workspace.id),
);

/**
 * Cuts `text` to at most `maxLines` lines; when anything is cut, the whole text goes to
 * the archive and the reply says so, with the id to fetch the rest (nothing dropped silently).
 */
export function cutWithHandle(
  workspace: Workspace,
  text: string,
  opts: { maxLines: number; tool: string; label: string },
): string {
  const lines = text.split('\n');
  if (lines.length <= opts.maxLines) return text;
  const meta = archiveOf(workspace).put(text, opts.tool, opts.label);
  const shown = lines.slice(0, opts.maxLines).join('\n');
  return `${shown}\n[cut: showing ${opts.maxLines} of ${lines.length} lines (${meta.tokens} tok in full). Rest: ctx_expand id="${meta.id}"]`;
}
