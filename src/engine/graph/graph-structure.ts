/**
 * Whole-graph structure of the import graph, computed on a worker thread: strongly connected
 * components (Tarjan), layers of the condensed graph, communities (Louvain's local moving)
 * and their modularity. Input and output are plain numbers, cheap to pass between threads.
 */
export interface GraphStructure {
  /** Components in reverse topological order: a component comes after every one it imports. */
  components: number[][];
  /** Per node: 0 = imports nothing in the graph (or only its own cycle), else 1 + its deepest import. */
  layer: number[];
  /** Per node: its community's label (the smallest node index in it). */
  community: number[];
  /** Local-moving rounds run until no node moved (or the cap). */
  rounds: number;
  /** Newman modularity of the communities over the undirected import graph; 0 without edges. */
  modularity: number;
}

const MAX_ROUNDS = 50;

/** Tarjan's algorithm without recursion (deep import chains would overflow the stack). */
export function stronglyConnected(out: readonly (readonly number[])[]): number[][] {
  const n = out.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: [node: number, edge: number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, e] = frame;
      const targets = out[v]!;
      if (e < targets.length) {
        frame[1] = e + 1;
        const w = targets[e]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low[parent[0]] = Math.min(low[parent[0]]!, low[v]!);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/** Layer of each node over the condensed graph; a cycle's files share one layer. */
function layersOf(out: readonly (readonly number[])[], components: readonly number[][]): number[] {
  const componentOf = new Int32Array(out.length);
  components.forEach((c, i) => {
    for (const v of c) componentOf[v] = i;
  });
  const layer = new Array<number>(out.length).fill(0);
  // reverse topological order: every import of a component is already layered
  components.forEach((c, i) => {
    let depth = 0;
    for (const v of c)
      for (const w of out[v]!) if (componentOf[w] !== i) depth = Math.max(depth, layer[w]! + 1);
    for (const v of c) layer[v] = depth;
  });
  return layer;
}

/**
 * Communities by modularity: Louvain's local-moving phase over the undirected import graph,
 * deterministic (nodes in index order; a tie keeps a node where it is). Each node moves to
 * the neighbouring community with the best modularity gain until no node moves.
 */
function communitiesOf(out: readonly (readonly number[])[]): { community: number[]; rounds: number } {
  const n = out.length;
  const neighbours: number[][] = Array.from({ length: n }, () => []);
  out.forEach((targets, v) => {
    for (const w of targets) {
      neighbours[v]!.push(w);
      neighbours[w]!.push(v);
    }
  });
  const degree = neighbours.map((near) => near.length);
  const twoM = degree.reduce((a, b) => a + b, 0);
  const community = Array.from({ length: n }, (_, i) => i);
  const total = [...degree];
  let rounds = 0;
  for (let moved = twoM > 0; moved && rounds < MAX_ROUNDS; rounds++) {
    moved = false;
    for (let v = 0; v < n; v++) {
      const near = neighbours[v]!;
      if (near.length === 0) continue;
      const own = community[v]!;
      total[own]! -= degree[v]!;
      const links = new Map<number, number>([[own, 0]]);
      for (const w of near) if (w !== v) links.set(community[w]!, (links.get(community[w]!) ?? 0) + 1);
      const gain = (c: number) => links.get(c)! - (total[c]! * degree[v]!) / twoM;
      let best = own;
      let bestGain = gain(own);
      for (const c of links.keys()) {
        const g = gain(c);
        if (g > bestGain + 1e-12 || (Math.abs(g - bestGain) <= 1e-12 && best !== own && c < best)) {
          best = c;
          bestGain = g;
        }
      }
      community[v] = best;
      total[best]! += degree[v]!;
      if (best !== own) moved = true;
    }
  }
  // name each community by its smallest member
  const smallest = new Map<number, number>();
  community.forEach((c, v) => {
    if (!smallest.has(c)) smallest.set(c, v);
  });
  return { community: community.map((c) => smallest.get(c)!), rounds };
}

/** Q = Σ over communities of (internal edges / m − (degree sum / 2m)²), edges undirected. */
function modularityOf(out: readonly (readonly number[])[], community: readonly number[]): number {
  let m = 0;
  const internal = new Map<number, number>();
  const degree = new Map<number, number>();
  out.forEach((targets, v) => {
    for (const w of targets) {
      m++;
      const cv = community[v]!;
      const cw = community[w]!;
      if (cv === cw) internal.set(cv, (internal.get(cv) ?? 0) + 1);
      degree.set(cv, (degree.get(cv) ?? 0) + 1);
      degree.set(cw, (degree.get(cw) ?? 0) + 1);
    }
  });
  if (m === 0) return 0;
  let q = 0;
  for (const [c, d] of degree) q += (internal.get(c) ?? 0) / m - (d / (2 * m)) ** 2;
  return q;
}

/** Everything the architecture report needs from the graph's shape, in one pass per algorithm. */
export function graphStructure(input: { out: number[][] }): GraphStructure {
  const components = stronglyConnected(input.out);
  const { community, rounds } = communitiesOf(input.out);
  return {
    components,
    layer: layersOf(input.out, components),
    community,
    rounds,
    modularity: modularityOf(input.out, community),
  };
}
