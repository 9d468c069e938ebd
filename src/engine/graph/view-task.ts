import { readGraphSnapshot } from '../../store/sqlite/graph-snapshot.ts';
import { type Diagram, dependencyDiagram, directoryDiagram } from './diagram.ts';
import { buildFileGraph, looksLikeTest } from './file-graph.ts';

/** Files named in a summary's "most imported" and "most changed" lists. */
const TOP = 10;

export interface GraphSummary {
  files: number;
  edges: number;
  /** [language, files, lines], the most files first. */
  languages: [string, number, number][];
  /** [path, importers], the most imported first. */
  mostImported: [string, number][];
}

export interface TestCoverage {
  tests: number;
  /** Non-test files a test imports directly, of all non-test files. */
  covered: number;
  code: number;
  /** [path, commits] of indexed files, the most changed first (with churn). */
  mostChanged: [string, number][];
}

const byCountDesc = (a: [string, number], b: [string, number]) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1);

/** Files and lines per language and the most imported files, on a worker thread. */
export function graphSummary(input: { file: string }): GraphSummary {
  const snapshot = readGraphSnapshot(input.file);
  const languages = new Map<string, [number, number]>();
  for (const f of snapshot.files) {
    const l = languages.get(f.language) ?? [0, 0];
    languages.set(f.language, [l[0] + 1, l[1] + f.lines]);
  }
  const fanIn = new Map<string, number>();
  for (const e of snapshot.edges) fanIn.set(e.to, (fanIn.get(e.to) ?? 0) + 1);
  return {
    files: snapshot.files.length,
    edges: snapshot.edges.length,
    languages: [...languages]
      .map(([lang, [files, lines]]) => [lang, files, lines] as [string, number, number])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)),
    mostImported: [...fanIn].sort(byCountDesc).slice(0, TOP),
  };
}

/** Test files, the files they import directly, and the most changed indexed files, on a worker thread. */
export function testCoverage(input: { file: string; churn?: Map<string, number> }): TestCoverage {
  const snapshot = readGraphSnapshot(input.file);
  const paths = snapshot.files.map((f) => f.path);
  const tests = new Set(paths.filter(looksLikeTest));
  const covered = new Set<string>();
  for (const e of snapshot.edges) if (tests.has(e.from) && !tests.has(e.to)) covered.add(e.to);
  const indexed = new Set(paths);
  return {
    tests: tests.size,
    covered: covered.size,
    code: paths.length - tests.size,
    mostChanged: [...(input.churn ?? [])]
      .filter(([p]) => indexed.has(p))
      .sort(byCountDesc)
      .slice(0, TOP),
  };
}

/** The imports around a file (`path`), or between directories (no path), as Mermaid, on a worker thread. */
export function importDiagram(input: { file: string; path?: string; depth: number }): Diagram {
  const snapshot = readGraphSnapshot(input.file);
  const g = buildFileGraph(snapshot.files, snapshot.edges);
  return input.path === undefined ? directoryDiagram(g) : dependencyDiagram(g, input.path, input.depth);
}
