export interface Column {
  title: string;
  /** Right-align (numbers). */
  right?: boolean;
}

/** A GitHub markdown table. */
export function markdownTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const line = (parts: readonly string[]) => `| ${parts.join(' | ')} |`;
  return [
    line(columns.map((c) => c.title)),
    line(columns.map((c) => (c.right ? '---:' : '---'))),
    ...rows.map(line),
  ].join('\n');
}

export function formatRate(reqPerSec: number): string {
  return Math.round(reqPerSec).toLocaleString('en-US');
}

export function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(2) : ms.toFixed(1);
}

export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** Server CPU per request, or "n/a" where /proc is not available. */
export function formatCpuUs(us: number | undefined): string {
  return us === undefined ? 'n/a' : Math.round(us).toLocaleString('en-US');
}
