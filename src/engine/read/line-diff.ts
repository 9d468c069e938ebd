/** One run of a line diff: `=` kept, `-` only in the old text, `+` only in the new. */
export interface DiffOp {
  op: '=' | '-' | '+';
  /** 1-based line in the old text (for `=` and `-`) or the new text (for `+`). */
  line: number;
  text: string;
}

/**
 * Steps of the edit-path search one diff may take (about 50 ms here). Past it the region
 * still unsearched is shown as replaced: the diff stays exact, only larger than minimal.
 */
const MAX_DIFF_STEPS = 10_000_000;

/**
 * A line diff by Myers' algorithm (linear space, middle-snake bisection): O((n+m)·d) for d
 * changed lines, so a few edits in a 50,000-line file cost next to nothing. Within each
 * changed run the removed lines come before the added ones.
 */
export function diffLines(a: readonly string[], b: readonly string[]): DiffOp[] {
  const ids = new Map<string, number>();
  const idOf = (line: string) => {
    let id = ids.get(line);
    if (id === undefined) {
      id = ids.size;
      ids.set(line, id);
    }
    return id;
  };
  const x = Int32Array.from(a, idOf);
  const y = Int32Array.from(b, idOf);
  // one mark per line: 1 = removed (old) / added (new); unmarked lines are kept
  const removed = new Uint8Array(a.length);
  const added = new Uint8Array(b.length);
  const budget = { steps: MAX_DIFF_STEPS };
  compare(x, 0, x.length, y, 0, y.length, removed, added, budget);

  const ops: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && !removed[i] && !added[j]) {
      ops.push({ op: '=', line: i + 1, text: a[i] ?? '' });
      i++;
      j++;
      continue;
    }
    while (i < a.length && removed[i]) {
      ops.push({ op: '-', line: i + 1, text: a[i] ?? '' });
      i++;
    }
    while (j < b.length && added[j]) {
      ops.push({ op: '+', line: j + 1, text: b[j] ?? '' });
      j++;
    }
  }
  return ops;
}

/** Marks the lines of a[a0, a1) and b[b0, b1) that are not on a shortest edit path. */
function compare(
  a: Int32Array,
  a0: number,
  a1: number,
  b: Int32Array,
  b0: number,
  b1: number,
  removed: Uint8Array,
  added: Uint8Array,
  budget: { steps: number },
): void {
  while (a0 < a1 && b0 < b1 && a[a0] === b[b0]) {
    a0++;
    b0++;
  }
  while (a0 < a1 && b0 < b1 && a[a1 - 1] === b[b1 - 1]) {
    a1--;
    b1--;
  }
  if (a0 === a1 || b0 === b1 || budget.steps <= 0) {
    removed.fill(1, a0, a1);
    added.fill(1, b0, b1);
    return;
  }
  const split = middleSnake(a, a0, a1, b, b0, b1, budget);
  // a split on a corner would not shrink the region; never expected, but never loop on it
  if (!split || (split.x === a0 && split.y === b0) || (split.x === a1 && split.y === b1)) {
    removed.fill(1, a0, a1);
    added.fill(1, b0, b1);
    return;
  }
  compare(a, a0, split.x, b, b0, split.y, removed, added, budget);
  compare(a, split.x, a1, b, split.y, b1, removed, added, budget);
}

/**
 * Where the forward and backward searches for a shortest edit path first overlap (Myers
 * 1986, §4b). Both ends of the region differ, so the split is strictly inside it and the
 * recursion shrinks. Undefined when the step budget runs out.
 */
function middleSnake(
  a: Int32Array,
  a0: number,
  a1: number,
  b: Int32Array,
  b0: number,
  b1: number,
  budget: { steps: number },
): { x: number; y: number } | undefined {
  const n = a1 - a0;
  const m = b1 - b0;
  const maxD = Math.ceil((n + m) / 2);
  const offset = maxD + 1;
  // forward: furthest x on diagonal k = x - y; backward: the same, counted from the ends
  const vf = new Int32Array(2 * offset + 1).fill(-1);
  const vb = new Int32Array(2 * offset + 1).fill(-1);
  vf[offset + 1] = 0;
  vb[offset + 1] = 0;
  const delta = n - m;
  const odd = (delta & 1) !== 0;
  // diagonals that ran off the grid are not searched again
  let kfStart = 0;
  let kfEnd = 0;
  let kbStart = 0;
  let kbEnd = 0;
  for (let d = 0; d < maxD; d++) {
    // each of the two sweeps below visits 2d + 1 diagonals at most
    budget.steps -= 4 * d + 2;
    if (budget.steps <= 0) return undefined;
    for (let k = -d + kfStart; k <= d - kfEnd; k += 2) {
      const at = offset + k;
      let x =
        k === -d || (k !== d && (vf[at - 1] ?? -1) < (vf[at + 1] ?? -1))
          ? (vf[at + 1] ?? 0)
          : (vf[at - 1] ?? 0) + 1;
      let y = x - k;
      const start = x;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      budget.steps -= x - start;
      vf[at] = x;
      if (x > n) kfEnd += 2;
      else if (y > m) kfStart += 2;
      else if (odd) {
        const back = offset + delta - k;
        if (back >= 0 && back < vb.length && (vb[back] ?? -1) !== -1 && x >= n - (vb[back] ?? 0)) {
          return { x: a0 + x, y: b0 + y };
        }
      }
    }
    for (let k = -d + kbStart; k <= d - kbEnd; k += 2) {
      const at = offset + k;
      let x =
        k === -d || (k !== d && (vb[at - 1] ?? -1) < (vb[at + 1] ?? -1))
          ? (vb[at + 1] ?? 0)
          : (vb[at - 1] ?? 0) + 1;
      let y = x - k;
      const start = x;
      while (x < n && y < m && a[a1 - 1 - x] === b[b1 - 1 - y]) {
        x++;
        y++;
      }
      budget.steps -= x - start;
      vb[at] = x;
      if (x > n) kbEnd += 2;
      else if (y > m) kbStart += 2;
      else if (!odd) {
        const fwd = offset + delta - k;
        const fx = vf[fwd] ?? -1;
        if (fwd >= 0 && fwd < vf.length && fx !== -1 && fx >= n - x) {
          return { x: a0 + fx, y: b0 + fx - (delta - k) };
        }
      }
    }
  }
  return undefined;
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
