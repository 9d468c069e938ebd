import { ToolError } from '../../errors.ts';

export type LineRange = readonly [from: number, to: number];

/** `5,10-20` → [[5,5],[10,20]] (1-based, inclusive). An open end (`10-`) runs to the last line. */
export function parseLineRanges(spec: string): LineRange[] {
  const ranges: LineRange[] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:(-)\s*(\d+)?\s*)?$/.exec(part);
    if (!m)
      throw new ToolError(`bad line range "${part}" in "lines:${spec}"; write lines:N-M or lines:5,10-20`);
    const from = Number(m[1]);
    const to = m[3] !== undefined ? Number(m[3]) : m[2] ? Number.MAX_SAFE_INTEGER : from;
    if (from < 1 || to < from)
      throw new ToolError(`bad line range "${part}": lines start at 1 and N-M needs M ≥ N`);
    ranges.push([from, to]);
  }
  return ranges;
}

/** The lines of `text` split on "\n" only, so every byte but the separators survives (CR included). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  return lines;
}

/** `n|line` for every line in the ranges, in the order given; a note for ranges past the end. */
export function renderLineRanges(lines: readonly string[], ranges: readonly LineRange[]): string {
  const out: string[] = [];
  for (const [from, to] of ranges) {
    if (from > lines.length) {
      out.push(
        `[lines ${from}-${to === Number.MAX_SAFE_INTEGER ? 'end' : to} are past the end: ${lines.length}L]`,
      );
      continue;
    }
    const last = Math.min(to, lines.length);
    for (let n = from; n <= last; n++) out.push(`${n}|${lines[n - 1]}`);
  }
  return out.join('\n');
}
