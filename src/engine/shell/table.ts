import { isKeyLine } from './rule-kit.ts';

/** A column-aligned table (docker, kubectl, df, ps): cells cut at the header's column starts. */
export interface Table {
  header: string[];
  rows: string[][];
}

/**
 * Reads `lines` as a table aligned to its first line's columns (header cells separated by two
 * or more spaces, as docker and kubectl print them); undefined
 * when a row does not line up, so a rule never guesses.
 */
export function parseTable(lines: string[]): Table | undefined {
  const [head, ...body] = lines;
  if (head === undefined || body.length === 0) return undefined;
  const starts: number[] = [];
  for (const m of head.matchAll(/\S+(?: \S+)*/g)) starts.push(m.index);
  if (starts.length < 2) return undefined;
  const header = starts.map((s, i) => head.slice(s, starts[i + 1]).trim());
  const rows: string[][] = [];
  for (const line of body) {
    // a cell may overflow its column to the right (a long name), never start early
    if (starts.slice(1).some((s) => s < line.length && line[s - 1] !== ' ')) return undefined;
    rows.push(starts.map((s, i) => line.slice(s, starts[i + 1]).trim()));
  }
  return { header, rows };
}

/**
 * A table with the columns every row shares said once above it, the rest joined by two
 * spaces; rows that are key lines (a Warning event, an error status) stay as they were.
 */
export function compactTable(lines: string[]): string[] | undefined {
  const keyRows = new Set(lines.slice(1).filter(isKeyLine));
  const table = parseTable(lines);
  if (!table || table.rows.length < 2) return undefined;
  const same = table.header.map((_, c) => table.rows.every((r) => r[c] === table.rows[0]?.[c]));
  const shared = table.header.flatMap((h, c) => (same[c] ? [`${h}=${table.rows[0]?.[c] || '(empty)'}`] : []));
  const cols = table.header.flatMap((_, c) => (same[c] ? [] : [c]));
  const out = shared.length > 0 ? [`(every row: ${shared.join(', ')})`] : [];
  out.push(cols.map((c) => table.header[c]).join('  '));
  lines.slice(1).forEach((line, i) => {
    if (keyRows.has(line)) out.push(line);
    else out.push(cols.map((c) => table.rows[i]?.[c] || '-').join('  '));
  });
  return out;
}

/** `ps aux` and `df` rows: whitespace-separated, the last column keeping its spaces. */
export function splitColumns(line: string, columns: number): string[] {
  const cells = line.trim().split(/\s+/);
  return [...cells.slice(0, columns - 1), cells.slice(columns - 1).join(' ')];
}
