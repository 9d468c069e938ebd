import { encodeO200k as encode } from '../o200k.ts';

/** Shannon entropy (bits) of a line's o200k tokens. */
export function tokenEntropy(line: string): number {
  const tokens = encode(line);
  if (tokens.length <= 1) return 0;
  const counts = new Map<number, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / tokens.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let both = 0;
  for (const x of a) if (b.has(x)) both++;
  const union = a.size + b.size - both;
  return union === 0 ? 1 : both / union;
}

const words = (line: string) => new Set(line.match(/[A-Za-z_$][\w$]*|\d+|\S/g) ?? []);

export interface EntropyResult {
  text: string;
  meanEntropy: number;
  dropped: number;
}

/**
 * Keeps the lines that carry information: drops blank lines and lines whose token
 * entropy is under `threshold` bits (`}`, `end`, `});`), and folds runs of near-identical
 * lines into the first plus a count.
 */
export function entropyFilter(text: string, threshold = 1): EntropyResult {
  const out: string[] = [];
  let dropped = 0;
  let sum = 0;
  let n = 0;
  let prev: Set<string> | undefined;
  let run = 0;
  const closeRun = () => {
    if (run > 0) out.push(`  … +${run} similar`);
    run = 0;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      dropped++;
      continue;
    }
    const h = tokenEntropy(line.trim());
    sum += h;
    n++;
    if (h < threshold) {
      dropped++;
      continue;
    }
    const w = words(line);
    if (prev && w.size >= 3 && jaccard(prev, w) >= 0.7) {
      run++;
      dropped++;
      continue;
    }
    closeRun();
    out.push(line.trimEnd());
    prev = w;
  }
  closeRun();
  return { text: out.join('\n'), meanEntropy: n > 0 ? sum / n : 0, dropped };
}
