import { basename } from 'node:path';
import type { GraphStore } from '../../store/graph.ts';
import { dependentsOf } from './query-graph.ts';
import { isTestPath } from './test-files.ts';

/** `src/cart-total.ts` → `cart-total`; `test_cart.py`/`cart_test.go`/`cart.spec.ts` → `cart`. */
const stemOf = (path: string) =>
  basename(path)
    .replace(/\.[^.]+$/, '')
    .replace(/\.(test|spec)$/, '')
    .replace(/^test_|_(test|spec)$|Tests?$/, '')
    .toLowerCase();

export interface RelatedTest {
  path: string;
  /** The file of `paths` it reaches. */
  of: string;
  /** `imports src/a.ts (2 hops)` or `named after src/a.ts`. */
  why: string;
}

/**
 * Test files that reach `paths` through imports within `depth` hops, nearest first, then test
 * files named after one of them that no import links.
 */
export function testsFor(store: GraphStore, paths: readonly string[], depth: number): RelatedTest[] {
  const found = new Map<string, { hops: number; of: string }>();
  for (const path of paths) {
    for (const [dep, hops] of dependentsOf(store, path, depth)) {
      if (!isTestPath(dep)) continue;
      const old = found.get(dep);
      if (!old || hops < old.hops) found.set(dep, { hops, of: path });
    }
  }
  const tests: RelatedTest[] = [...found]
    .sort((a, b) => a[1].hops - b[1].hops || a[0].localeCompare(b[0]))
    .map(([path, { hops, of }]) => ({ path, of, why: `imports ${of}${hops > 1 ? ` (${hops} hops)` : ''}` }));
  const stems = new Map(paths.filter((p) => !isTestPath(p)).map((p) => [stemOf(p), p]));
  for (const path of store.stats().keys()) {
    if (found.has(path) || !isTestPath(path)) continue;
    const of = stems.get(stemOf(path));
    if (of && of !== path) tests.push({ path, of, why: `named after ${of}` });
  }
  return tests;
}

/** Files outside `paths` and not tests that depend on any of them, with the fewest hops. */
export function impactOf(store: GraphStore, paths: readonly string[], depth: number): Map<string, number> {
  const changed = new Set(paths);
  const impact = new Map<string, number>();
  for (const path of paths) {
    for (const [dep, hops] of dependentsOf(store, path, depth)) {
      if (changed.has(dep) || isTestPath(dep)) continue;
      impact.set(dep, Math.min(hops, impact.get(dep) ?? hops));
    }
  }
  return new Map([...impact].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0])));
}
