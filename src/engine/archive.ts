import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens } from './tokens.ts';
import { defineWorkspaceService, type Workspace } from './workspace.ts';

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

export interface Archive {
  /** Stores the whole text and returns its id; the same text gives the same id (stored once). */
  put(text: string, tool: string, label: string, opts?: { countTokens?: boolean }): ArchiveMeta;
  get(id: string): { text: string; meta: ArchiveMeta } | undefined;
  list(): ArchiveMeta[];
}

const TTL_MS = 48 * 60 * 60 * 1000;
const ID_PATTERN = /^[a-f0-9]{16}$/;

/** Full outputs that a reply had to cut, so `ctx_expand` can hand back the rest. */
export function createArchive(dir: string, now: () => number = Date.now): Archive {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const prune = () => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      try {
        if (now() - statSync(file).mtimeMs > TTL_MS) rmSync(file, { force: true });
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
  const archive: Archive = {
    put(text, tool, label, opts = {}) {
      const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
      const wantTokens = opts.countTokens ?? true;
      const stored = readMeta(id);
      if (stored && (stored.tokens !== undefined || !wantTokens)) return stored;
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
      return meta;
    },
    get(id) {
      if (!ID_PATTERN.test(id)) return undefined;
      try {
        const text = readFileSync(join(dir, `${id}.txt`), 'utf8');
        const meta = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8')) as ArchiveMeta;
        return { text, meta };
      } catch {
        return undefined;
      }
    },
    list() {
      prune();
      return readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => JSON.parse(readFileSync(join(dir, n), 'utf8')) as ArchiveMeta)
        .sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
    },
  };
  return archive;
}

export const archiveOf = defineWorkspaceService(
  'archive',
  (workspace): Archive => createArchive(join(workspace.dataDir(), 'archives')),
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
