import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mermaidLabel } from '../../../src/engine/graph/diagram.ts';
import { graphStructure, stronglyConnected } from '../../../src/engine/graph/graph-structure.ts';

/** A small seeded PRNG (mulberry32), so a failure names a case that can be run again. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomGraph(seed: number): number[][] {
  const rnd = random(seed);
  const n = 1 + Math.floor(rnd() * 40);
  const density = rnd() * 3;
  return Array.from({ length: n }, (_, v) => {
    const targets = new Set<number>();
    const k = Math.floor(rnd() * density * 2);
    for (let i = 0; i < k; i++) {
      const w = Math.floor(rnd() * n);
      if (w !== v) targets.add(w);
    }
    return [...targets];
  });
}

/** Reachability by plain search from every node: the model the algorithms are checked against. */
function reachSets(out: number[][]): Set<number>[] {
  return out.map((_, v) => {
    const seen = new Set<number>();
    const stack = [...out[v]!];
    while (stack.length > 0) {
      const w = stack.pop()!;
      if (seen.has(w)) continue;
      seen.add(w);
      stack.push(...out[w]!);
    }
    return seen;
  });
}

test('on 500 random graphs: components are exactly the mutually reachable sets, in reverse topological order, and layers respect every edge', () => {
  let edgesChecked = 0;
  let cyclic = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const out = randomGraph(seed);
    const reach = reachSets(out);
    const s = graphStructure({ out });
    const componentOf = new Map<number, number>();
    s.components.forEach((c, i) => {
      for (const v of c) componentOf.set(v, i);
    });
    assert.equal(componentOf.size, out.length, `seed ${seed}: every node in one component`);
    for (let v = 0; v < out.length; v++) {
      for (let w = 0; w < out.length; w++) {
        const mutual = v === w || (reach[v]!.has(w) && reach[w]!.has(v));
        assert.equal(componentOf.get(v) === componentOf.get(w), mutual, `seed ${seed}: ${v} and ${w}`);
      }
    }
    if (s.components.some((c) => c.length > 1)) cyclic++;
    out.forEach((targets, v) => {
      for (const w of targets) {
        edgesChecked++;
        if (componentOf.get(v) === componentOf.get(w)) {
          assert.equal(s.layer[v], s.layer[w], `seed ${seed}: a cycle shares a layer`);
        } else {
          assert.ok(componentOf.get(w)! < componentOf.get(v)!, `seed ${seed}: ${w} emitted before ${v}`);
          assert.ok(s.layer[v]! > s.layer[w]!, `seed ${seed}: ${v} above ${w}`);
        }
      }
    });
    // modularity recomputed from the communities it reports
    let m = 0;
    const inside = new Map<number, number>();
    const degree = new Map<number, number>();
    out.forEach((targets, v) => {
      for (const w of targets) {
        m++;
        const [a, b] = [s.community[v]!, s.community[w]!];
        if (a === b) inside.set(a, (inside.get(a) ?? 0) + 1);
        degree.set(a, (degree.get(a) ?? 0) + 1);
        degree.set(b, (degree.get(b) ?? 0) + 1);
      }
    });
    let q = 0;
    for (const [c, d] of degree) q += (inside.get(c) ?? 0) / m - (d / (2 * m)) ** 2;
    assert.ok(Math.abs((m === 0 ? 0 : q) - s.modularity) < 1e-9, `seed ${seed}: modularity`);
    assert.ok(s.modularity >= -0.5 && s.modularity <= 1);
  }
  assert.ok(
    edgesChecked > 5_000 && cyclic > 100,
    `checked ${edgesChecked} edges, ${cyclic} graphs with cycles`,
  );
});

test('a 200,000-file import chain and one 200,000-file cycle need no recursion', () => {
  const n = 200_000;
  const chain = Array.from({ length: n }, (_, v) => (v + 1 < n ? [v + 1] : []));
  const s = graphStructure({ out: chain });
  assert.equal(s.components.length, n);
  assert.equal(s.layer[0], n - 1);
  const ring = Array.from({ length: n }, (_, v) => [(v + 1) % n]);
  assert.deepEqual(
    stronglyConnected(ring).map((c) => c.length),
    [n],
  );
});

test('Mermaid labels cannot close their quotes or open markup', () => {
  for (const raw of ['a"b', 'x<script>', '#quot;', 'tab\there', 'back`tick', 'ok/path.ts']) {
    const label = mermaidLabel(raw);
    assert.match(label, /^"[^"<>`\t]*"$/, raw);
  }
  assert.equal(mermaidLabel('src/"a" <b>#1.ts'), '"src/#34;a#34; #60;b#62;#35;1.ts"');
});
