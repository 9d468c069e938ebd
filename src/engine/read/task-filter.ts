import type { CodeSymbol } from '../languages/index.ts';

const STOP = new Set(
  'the and for with from that this into when what where which how why are was were will can should add fix make use using file code function class method'.split(
    ' ',
  ),
);

/** Words of a task, lower-cased, with camelCase and snake_case parts too. */
export function taskKeywords(task: string): string[] {
  const out = new Set<string>();
  for (const word of task.match(/[A-Za-z_][\w]*/g) ?? []) {
    const parts = [word, ...word.split(/_|(?<=[a-z])(?=[A-Z])/)];
    for (const p of parts) {
      const w = p.toLowerCase();
      if (w.length >= 3 && !STOP.has(w)) out.add(w);
    }
  }
  return [...out];
}

/**
 * The lines that mention the task's words (one line of context each side) and the
 * signature line of every symbol holding a match, numbered `n|`; gaps show as `…`.
 */
export function taskFilter(
  text: string,
  task: string,
  symbols: readonly CodeSymbol[],
): { text: string; hits: number } {
  const keywords = taskKeywords(task);
  const lines = text.split('\n');
  const keep = new Uint8Array(lines.length);
  let hits = 0;
  lines.forEach((line, i) => {
    const lower = line.toLowerCase();
    if (!keywords.some((k) => lower.includes(k))) return;
    hits++;
    for (let k = Math.max(0, i - 1); k <= Math.min(lines.length - 1, i + 1); k++) keep[k] = 1;
    for (const s of symbols) if (s.startLine - 1 <= i && i <= s.endLine - 1) keep[s.startLine - 1] = 1;
  });
  const out: string[] = [];
  let gap = false;
  lines.forEach((line, i) => {
    if (!keep[i]) {
      gap = true;
      return;
    }
    if (gap && out.length > 0) out.push('…');
    gap = false;
    out.push(`${i + 1}|${line}`);
  });
  return { text: out.join('\n'), hits };
}
