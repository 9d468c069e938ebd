import type { RoundResult } from './stats.ts';

/**
 * Runs every target once per round, reversing the order every other round so that neither
 * side always runs first (warm caches, a neighbour's burst on the shared machine).
 */
export async function runAlternating<T extends { key: string }>(
  targets: readonly T[],
  rounds: number,
  runOne: (target: T, round: number) => Promise<RoundResult>,
  onResult: (target: T, result: RoundResult) => void = () => {},
): Promise<Map<string, RoundResult[]>> {
  const results = new Map<string, RoundResult[]>(targets.map((t) => [t.key, []]));
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? targets : [...targets].reverse();
    for (const target of order) {
      const result = await runOne(target, round);
      results.get(target.key)!.push(result);
      onResult(target, result);
    }
  }
  return results;
}
