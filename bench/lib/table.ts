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

export interface LatencyRow {
  label: string;
  summary: {
    reqPerSec: number;
    p50Ms: number;
    p99Ms: number;
    worstP99Ms: number;
    serverCpuUsPerReq?: number;
  };
  ratio: number;
  /** The goal cell, or "—". */
  goal: string;
}

/** The http and mcp benches' table: throughput, latency, the ratio to the peer, server CPU. */
export function latencyTable(ratioTitle: string, cpuTitle: string, rows: readonly LatencyRow[]): string {
  return markdownTable(
    [
      { title: 'target' },
      { title: 'req/s', right: true },
      { title: 'p50 ms', right: true },
      { title: 'p99 ms', right: true },
      { title: 'worst p99 ms', right: true },
      { title: ratioTitle, right: true },
      { title: cpuTitle, right: true },
      { title: 'goal' },
    ],
    rows.map(({ label, summary, ratio, goal }) => [
      label,
      formatRate(summary.reqPerSec),
      formatMs(summary.p50Ms),
      formatMs(summary.p99Ms),
      formatMs(summary.worstP99Ms),
      formatRatio(ratio),
      formatCpuUs(summary.serverCpuUsPerReq),
      goal,
    ]),
  );
}
