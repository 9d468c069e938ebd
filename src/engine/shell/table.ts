import { isProblemLine } from './rule-kit.ts';

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

/** Rows a column's most common value must cover to be said once above the table. */
const DEFAULT_SHARE = 0.6;

/**
 * A table with each column's most common value (when most rows have it) said once above it;
 * a row names only the cells that differ from those, and rows reduced to their first cell
 * share lines. Rows that report a problem (a Warning event, an Error status) stay as they were.
 */
export function compactTable(lines: string[]): string[] | undefined {
  const table = parseTable(lines);
  if (!table || table.rows.length < 3) return undefined;
  const defaults = table.header.map((_, c) => {
    if (c === 0) return undefined;
    const counts = new Map<string, number>();
    for (const r of table.rows) counts.set(r[c] ?? '', (counts.get(r[c] ?? '') ?? 0) + 1);
    const [value, n] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    return n >= table.rows.length * DEFAULT_SHARE ? value : undefined;
  });
  const plain = table.header.flatMap((_, c) => (defaults[c] === undefined ? [c] : []));
  const said = table.header.flatMap((h, c) =>
    defaults[c] === undefined ? [] : [`${h}=${defaults[c] || '(empty)'}`],
  );
  const out = said.length > 0 ? [`(each row unless it says otherwise: ${said.join(', ')})`] : [];
  out.push(plain.map((c) => table.header[c]).join('  '));
  let names: string[] = [];
  const flush = () => {
    for (let i = 0; i < names.length; i += 6) out.push(names.slice(i, i + 6).join('  '));
    names = [];
  };
  lines.slice(1).forEach((line, i) => {
    const row = table.rows[i] as string[];
    if (isProblemLine(line)) {
      flush();
      out.push(line);
      return;
    }
    const cells = plain.map((c) => row[c] || '-');
    const odd = table.header.flatMap((h, c) =>
      defaults[c] !== undefined && row[c] !== defaults[c] ? [`${h}=${row[c] || '(empty)'}`] : [],
    );
    if (cells.length === 1 && odd.length === 0) names.push(cells[0] as string);
    else {
      flush();
      out.push([...cells, ...odd].join('  '));
    }
  });
  flush();
  return out;
}

/** `ps aux` and `df` rows: whitespace-separated, the last column keeping its spaces. */
export function splitColumns(line: string, columns: number): string[] {
  const cells = line.trim().split(/\s+/);
  return [...cells.slice(0, columns - 1), cells.slice(columns - 1).join(' ')];
}
