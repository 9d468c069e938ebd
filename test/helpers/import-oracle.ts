import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';

/** Every file under a directory of node_modules, as `prefix/rel` → text. */
export function copyPackage(dir: string, prefix: string, ext = /\.ts$/): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (abs: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) walk(p);
      else if (ext.test(e.name)) files[`${prefix}/${relative(dir, p)}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return files;
}

const IMPORT_LINE = [
  /^\s*(?:import|export)\b[^'"]*?\bfrom\s+['"](\.[^'"]*)['"]/,
  /^\s*}\s*from\s+['"](\.[^'"]*)['"]/,
  /^\s*import\s+['"](\.[^'"]*)['"]/,
];

/**
 * Relative TS imports by plain text, written apart from the product's resolver: a line that
 * starts an import/export (or closes a multi-line one) with a `./` or `../` specifier,
 * resolved as file, `.ts`, `.tsx` or `index.ts`. Returns file → the files it imports, with the line.
 */
export function textImportGraph(files: Record<string, string>): Map<string, Map<string, number>> {
  const graph = new Map<string, Map<string, number>>();
  for (const [path, text] of Object.entries(files)) {
    const targets = new Map<string, number>();
    text.split('\n').forEach((line, i) => {
      for (const re of IMPORT_LINE) {
        const spec = re.exec(line)?.[1];
        if (!spec) continue;
        const base = posix.normalize(posix.join(posix.dirname(path), spec));
        const hit = [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`].find((c) => c in files);
        if (hit && hit !== path && !targets.has(hit)) targets.set(hit, i + 1);
        break;
      }
    });
    graph.set(path, targets);
  }
  return graph;
}

/** Files that reach `target` within `depth` reverse hops, with their distance. */
export function dependentsByText(
  graph: Map<string, Map<string, number>>,
  target: string,
  depth: number,
): Map<string, number> {
  const seen = new Map<string, number>();
  let frontier = [target];
  for (let d = 1; d <= depth && frontier.length > 0; d++) {
    const next: string[] = [];
    for (const [file, targets] of graph) {
      if (file === target || seen.has(file)) continue;
      if (frontier.some((f) => targets.has(f))) {
        seen.set(file, d);
        next.push(file);
      }
    }
    frontier = next;
  }
  return seen;
}

/** Length (in imports) of the shortest chain from → to, or undefined. */
export function chainLengthByText(
  graph: Map<string, Map<string, number>>,
  from: string,
  to: string,
): number | undefined {
  const dist = new Map([[from, 0]]);
  const queue = [from];
  while (queue.length > 0) {
    const f = queue.shift()!;
    for (const t of graph.get(f)?.keys() ?? []) {
      if (dist.has(t)) continue;
      dist.set(t, dist.get(f)! + 1);
      queue.push(t);
    }
  }
  return dist.get(to);
}

/**
 * Builds the workspace's code graph and waits until no build runs: on a loaded machine a
 * build may outlast one call's budget, and a test must compare against the whole graph.
 */
export async function buildWholeGraph(
  call: (name: string, args: Record<string, unknown>) => Promise<string>,
): Promise<void> {
  let text = await call('ctx_index', { action: 'build' });
  while (/build running/.test(text)) {
    await new Promise((r) => setTimeout(r, 200));
    text = await call('ctx_index', { action: 'status' });
  }
  if (!/^(build: \d+ file|Code graph: )/.test(text)) throw new Error(`the graph did not build: ${text}`);
}
