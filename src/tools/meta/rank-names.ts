/** Edit distance, for "did you mean" lists; names are short, so the O(n·m) table is cheap. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

const bare = (name: string) => name.toLowerCase().replace(/^ctx_/, '');

/** The names closest to `wanted`: substring matches first, then by edit distance. */
export function closestNames(wanted: string, names: readonly string[], limit = 5): string[] {
  const w = bare(wanted);
  return names
    .map((name) => {
      const n = bare(name);
      const contains = n.includes(w) || w.includes(n);
      return { name, score: (contains ? 0 : 100) + editDistance(w, n) };
    })
    .filter((r) => r.score < 100 || r.score - 100 <= Math.max(3, Math.floor(w.length / 2)))
    .sort((x, y) => x.score - y.score || (x.name < y.name ? -1 : 1))
    .slice(0, limit)
    .map((r) => r.name);
}
