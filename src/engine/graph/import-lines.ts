import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GraphStore } from '../../store/graph.ts';

/** Lines read from one file at most: imports sit near the top of a file. */
const MAX_SCANNED_LINES = 2_000;
/** Files read at once. */
const READ_BATCH = 32;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The 1-based line of `text` that writes one of the specifiers, or undefined. */
function lineOfSpecifier(text: string, specifiers: readonly string[]): number | undefined {
  const lines = text.split('\n', MAX_SCANNED_LINES);
  for (const spec of specifiers) {
    // `'./x'`, `"pkg/x"`, `from .x import`, `import a.b`: the specifier as a whole token
    const exact = new RegExp(`(^|[\\s'"<(])${escapeRegex(spec)}($|[\\s'">);,])`);
    const hit = lines.findIndex((l) => exact.test(l));
    if (hit >= 0) return hit + 1;
  }
  for (const spec of specifiers) {
    // `from pkg import mod` is stored as `pkg.mod` too: both halves on one line
    const dot = spec.lastIndexOf('.');
    if (dot <= 0) continue;
    const [head, tail] = [spec.slice(0, dot), spec.slice(dot + 1)];
    const hit = lines.findIndex((l) => l.includes(head) && new RegExp(`\\b${escapeRegex(tail)}\\b`).test(l));
    if (hit >= 0) return hit + 1;
  }
  return undefined;
}

/**
 * Where each `from` file imports its `to` file: `from\0to` → line, found by the specifiers
 * that resolve to `to` (or those given: an import of a deleted file resolves to nothing).
 * Reads only the files named; an edge whose line cannot be found is left out.
 */
export async function importLines(
  root: string,
  store: GraphStore,
  edges: readonly { from: string; to: string; specifiers?: readonly string[] }[],
): Promise<Map<string, number>> {
  const byFile = new Map<string, Set<string>>();
  const given = new Map<string, readonly string[]>();
  for (const e of edges) {
    byFile.set(e.from, (byFile.get(e.from) ?? new Set()).add(e.to));
    if (e.specifiers) given.set(`${e.from}\0${e.to}`, e.specifiers);
  }
  const lines = new Map<string, number>();
  const files = [...byFile];
  for (let i = 0; i < files.length; i += READ_BATCH) {
    await Promise.all(
      files.slice(i, i + READ_BATCH).map(async ([from, targets]) => {
        const text = await readFile(join(root, from), 'utf8').catch(() => undefined);
        if (text === undefined) return;
        const imports = store.importsOf(from);
        for (const to of targets) {
          const specs =
            given.get(`${from}\0${to}`) ??
            imports.filter((imp) => imp.target === to).map((imp) => imp.specifier);
          const line = lineOfSpecifier(text, specs);
          if (line !== undefined) lines.set(`${from}\0${to}`, line);
        }
      }),
    );
  }
  return lines;
}
