import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { languageOf } from '../languages/index.ts';
import { READ_LIMITS } from '../read/load-file.ts';
import { isSecretPath } from '../secrets.ts';
import { runEngineTask } from '../workers/engine-pool.ts';

/** A duplicate block is at least this many consecutive significant lines. */
export const DUPLICATE_WINDOW = 6;

export interface Place {
  rel: string;
  /** 1-based line in the file. */
  line: number;
}

/** Files that share code: every maximal run of significant lines they have in common. */
export interface DuplicateGroup {
  places: Place[];
  /** Overlapping windows found; a long copy counts once per extra line. */
  windows: number;
  /** Each shared run, as trimmed significant lines, in the first file's order. */
  blocks: string[][];
}

export interface DuplicateReport {
  scanned: number;
  groups: DuplicateGroup[];
  /** Import lines and how many files carry them. */
  imports: Map<string, number>;
}

interface Line {
  t: string;
  line: number;
}

/** Blank and bracket-only lines carry nothing to share; a block is made of the rest. */
export const isSignificant = (trimmed: string) => trimmed !== '' && !/^[})\];,]*$/.test(trimmed);

const IMPORT = /^(import|from|use|using|#include|require)\b/;

/**
 * Finds code blocks repeated across files: windows of identical trimmed lines, merged into
 * runs. It reads and hashes up to thousands of files, so it runs on a worker thread and
 * stops with the call's signal.
 */
export function findDuplicates(
  root: string,
  files: readonly string[],
  signal?: AbortSignal,
): Promise<DuplicateReport> {
  return runEngineTask('findDuplicates', { root, files }, { signal });
}

/** `findDuplicates` on this thread: the worker's side. */
export async function findDuplicatesHere(
  root: string,
  files: readonly string[],
  signal?: AbortSignal,
): Promise<DuplicateReport> {
  const windows = new Map<string, { rel: string; line: number; at: number }[]>();
  const imports = new Map<string, number>();
  const linesOf = new Map<string, Line[]>();
  let scanned = 0;
  for (const rel of files) {
    signal?.throwIfAborted();
    if (isSecretPath(rel) || languageOf(rel) === undefined) continue;
    const text = await readFile(join(root, rel), 'utf8').catch(() => '');
    if (text.length > READ_LIMITS.wholeBytes || text.includes('\0')) continue;
    scanned++;
    const lines = text
      .split('\n')
      .map((t, i) => ({ t: t.trim(), line: i + 1 }))
      .filter((l) => isSignificant(l.t));
    linesOf.set(rel, lines);
    for (const l of lines) if (IMPORT.test(l.t)) imports.set(l.t, (imports.get(l.t) ?? 0) + 1);
    for (let i = 0; i + DUPLICATE_WINDOW <= lines.length; i++) {
      const key = lines
        .slice(i, i + DUPLICATE_WINDOW)
        .map((l) => l.t)
        .join('\n');
      const list = windows.get(key) ?? [];
      if (!list.some((p) => p.rel === rel)) list.push({ rel, line: lines[i]?.line ?? 0, at: i });
      windows.set(key, list);
    }
  }
  // overlapping windows of one long copy collapse into one group per set of files
  const byFiles = new Map<string, { places: Place[]; starts: number[] }>();
  for (const places of windows.values()) {
    if (places.length < 2) continue;
    const id = places.map((p) => p.rel).join('\n');
    const group = byFiles.get(id) ?? { places: places.map(({ rel, line }) => ({ rel, line })), starts: [] };
    group.starts.push(places[0]!.at);
    byFiles.set(id, group);
  }
  const groups: DuplicateGroup[] = [];
  for (const { places, starts } of byFiles.values()) {
    const lines = linesOf.get(places[0]!.rel) ?? [];
    starts.sort((a, b) => a - b);
    const blocks: string[][] = [];
    let from = starts[0]!;
    let to = from;
    for (const s of [...starts.slice(1), Number.POSITIVE_INFINITY]) {
      if (s === to + 1) {
        to = s;
        continue;
      }
      blocks.push(lines.slice(from, to + DUPLICATE_WINDOW).map((l) => l.t));
      from = s;
      to = s;
    }
    groups.push({ places, windows: starts.length, blocks });
  }
  groups.sort((a, b) => b.windows - a.windows);
  return { scanned, groups, imports };
}
