/** One run of a line diff: `=` kept, `-` only in the old text, `+` only in the new. */
export interface DiffOp {
  op: '=' | '-' | '+';
  /** 1-based line in the old text (for `=` and `-`) or the new text (for `+`). */
  line: number;
  text: string;
}

/** LCS tables past this many cells fall back to "replace the middle" (still exact, just larger). */
const MAX_LCS_CELLS = 4_000_000;

/** A line diff: common head and tail trimmed, then LCS on what is left. */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const ops: DiffOp[] = [];
  for (let i = 0; i < head; i++) ops.push({ op: '=', line: i + 1, text: a[i] ?? '' });
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  if (am.length * bm.length > MAX_LCS_CELLS) {
    am.forEach((t, i) => {
      ops.push({ op: '-', line: head + i + 1, text: t });
    });
    bm.forEach((t, i) => {
      ops.push({ op: '+', line: head + i + 1, text: t });
    });
  } else {
    const n = am.length;
    const m = bm.length;
    // lcs[i][j] = LCS length of am[i..] and bm[j..], flattened
    const lcs = new Uint32Array((n + 1) * (m + 1));
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * (m + 1) + j] =
          am[i] === bm[j]
            ? (lcs[(i + 1) * (m + 1) + j + 1] ?? 0) + 1
            : Math.max(lcs[(i + 1) * (m + 1) + j] ?? 0, lcs[i * (m + 1) + j + 1] ?? 0);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        ops.push({ op: '=', line: head + i + 1, text: am[i] ?? '' });
        i++;
        j++;
      } else if (i < n && (j === m || (lcs[(i + 1) * (m + 1) + j] ?? 0) >= (lcs[i * (m + 1) + j + 1] ?? 0))) {
        ops.push({ op: '-', line: head + i + 1, text: am[i] ?? '' });
        i++;
      } else {
        ops.push({ op: '+', line: head + j + 1, text: bm[j] ?? '' });
        j++;
      }
    }
  }
  for (let i = a.length - tail; i < a.length; i++) ops.push({ op: '=', line: i + 1, text: a[i] ?? '' });
  return ops;
}

/**
 * The changes only, with one line of context either side: `-n:` old line n, `+n:` new line
 * n, `n:` unchanged old line n. Gaps between hunks show as `…`.
 */
export function formatCompactDiff(ops: readonly DiffOp[], context = 1): string {
  const keep = new Uint8Array(ops.length);
  ops.forEach((o, i) => {
    if (o.op === '=') return;
    for (let k = Math.max(0, i - context); k <= Math.min(ops.length - 1, i + context); k++) keep[k] = 1;
  });
  const out: string[] = [];
  let gap = false;
  ops.forEach((o, i) => {
    if (!keep[i]) {
      gap = true;
      return;
    }
    if (gap && out.length > 0) out.push('…');
    gap = false;
    out.push(`${o.op === '=' ? '' : o.op}${o.line}:${o.text === '' ? '' : ` ${o.text}`}`);
  });
  return out.join('\n');
}

export function countChanges(ops: readonly DiffOp[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const o of ops) {
    if (o.op === '+') added++;
    else if (o.op === '-') removed++;
  }
  return { added, removed };
}
