import { z } from 'zod';
import { type DiffFile, parseDiffText } from '../../engine/git/parse-diff.ts';
import { impactOf, type RelatedTest, testsFor } from '../../engine/graph/change-context.ts';
import { callersOf } from '../../engine/graph/query-graph.ts';
import type { SmellFinding } from '../../engine/graph/smell-rules.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { ToolError } from '../../errors.ts';
import type { GraphSymbol } from '../../store/graph.ts';
import { defineTool } from '../define-tool.ts';
import { MAX_DIFF_CHARS } from './ctx-pack.ts';
import { currentGraph, formatProgress, tokensOfFiles } from './graph-of.ts';
import { requireIndexedFile } from './graph-paths.ts';
import { smellsOf } from './smells-of.ts';

const MAX_CALLERS = 20;
const MAX_LISTED = 50;
const DIFF_TEXT = /^(diff --git |--- |@@ )/m;

interface Target {
  path: string;
  diff?: DiffFile;
  /** The symbols the review is about: those a diff touches, or a file's exported ones. */
  symbols: GraphSymbol[];
  callers: string[];
  callerCount: number;
}

const overlaps = (s: GraphSymbol, ranges: readonly [number, number][]) =>
  ranges.some(([a, b]) => s.startLine <= b && a <= s.endLine);

/** The narrowest symbols a diff touches: a method, not its whole class. */
function touched(symbols: GraphSymbol[], ranges: readonly [number, number][]): GraphSymbol[] {
  const hit = symbols.filter((s) => s.kind !== 'field' && overlaps(s, ranges));
  return hit.filter(
    (s) =>
      !hit.some(
        (t) => t !== s && t.startLine >= s.startLine && t.endLine <= s.endLine && overlaps(t, ranges),
      ),
  );
}

const lineRanges = (r: readonly [number, number][]) =>
  r.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(', ');

export const ctxReview = defineTool({
  name: 'ctx_review',
  description:
    'Review context for a file or a unified diff: touched symbols with their callers, files impacted, related tests and smells; `checklist` turns it into review questions.',
  scope: 'graph',
  readOnly: true,
  input: z.object({
    action: z.enum(['review', 'diff-review', 'checklist']),
    path: z
      .string()
      .min(1)
      .max(MAX_DIFF_CHARS)
      .describe('A file (review, checklist) or unified diff text (diff-review, checklist)'),
    depth: z.number().int().min(1).max(10).default(3).describe('Import hops for impact and tests'),
  }),
  async run(args, ctx) {
    const { graph, progress } = await currentGraph(ctx);
    const store = graph.store;
    const isDiff =
      args.action === 'diff-review' || (args.action === 'checklist' && DIFF_TEXT.test(args.path));
    const notes: string[] = [];
    let targets: Target[];
    if (isDiff) {
      const files = parseDiffText(args.path);
      if (files.length === 0)
        throw new ToolError(
          'path holds no diff: pass the output of `git diff` (unified) or `git diff --name-status`',
        );
      targets = [];
      for (const f of files) {
        if (!store.file(f.path)) {
          notes.push(`${f.path}: ${f.status === 'deleted' ? 'deleted' : 'not in the code graph'}`);
          continue;
        }
        const symbols = store.symbolsIn(f.path);
        targets.push({
          path: f.path,
          diff: f,
          symbols:
            f.changed.length > 0
              ? touched(symbols, f.changed)
              : symbols.filter((s) => s.exported && s.qualified === s.name),
          callers: [],
          callerCount: 0,
        });
      }
    } else {
      const rel = requireIndexedFile(graph, ctx, args.path);
      const symbols = store.symbolsIn(rel).filter((s) => s.exported && s.qualified === s.name);
      targets = [{ path: rel, symbols, callers: [], callerCount: 0 }];
    }
    const paths = targets.map((t) => t.path);
    for (const t of targets) {
      const edges = callersOf(store, t.symbols).filter((e) => e.target && e.path !== t.path);
      t.callerCount = edges.length;
      t.callers = edges
        .slice(0, MAX_CALLERS)
        .map((e) => `${e.path}:${e.line} → ${e.caller ?? '(module)'} calls ${e.target!.qualified}`);
    }
    const impact = impactOf(store, paths, args.depth);
    const tests = testsFor(store, paths, args.depth);
    const wanted = new Set(paths);
    const { findings } = await smellsOf(ctx.workspace, graph, {
      include: (p) => wanted.has(p),
      signal: ctx.signal,
    });
    const smells = findings.filter((f) => {
      const t = targets.find((x) => x.path === f.file);
      if (!t?.diff || t.diff.changed.length === 0 || f.symbol === undefined) return true;
      return t.symbols.some((s) => s.qualified === f.symbol);
    });
    const body =
      args.action === 'checklist'
        ? checklist(
            targets,
            impact,
            tests,
            smells,
            targets.filter((t) => testsFor(store, [t.path], args.depth).length === 0),
          )
        : report(targets, impact, tests, smells, isDiff, args.depth);
    const text = [...body, ...notes.map((n) => `note: ${n}`), formatProgress(progress)].join('\n');
    return withSavingsFooter(
      text,
      await tokensOfFiles(graph, [...paths, ...impact.keys(), ...tests.map((t) => t.path)]),
    );
  },
});

function report(
  targets: Target[],
  impact: Map<string, number>,
  tests: RelatedTest[],
  smells: SmellFinding[],
  isDiff: boolean,
  depth: number,
): string[] {
  const lines = [
    isDiff ? `Diff review: ${targets.length} file(s) in the code graph` : `Review of ${targets[0]!.path}`,
  ];
  for (const t of targets) {
    const d = t.diff;
    lines.push(
      `## ${t.path}${d ? ` (${d.status}${d.changed.length > 0 ? `, lines ${lineRanges(d.changed)}` : ''})` : ''}`,
    );
    const what = d && d.changed.length > 0 ? 'touched' : 'exported';
    lines.push(
      t.symbols.length > 0
        ? `${what}: ${t.symbols.map((s) => `${s.kind} ${s.qualified} (L${s.startLine}-${s.endLine})`).join(', ')}`
        : `${what}: no symbol`,
    );
    lines.push(`callers from other files: ${t.callerCount}`, ...t.callers.map((c) => `  ${c}`));
    if (t.callerCount > t.callers.length)
      lines.push(`  … ${t.callerCount - t.callers.length} more; ctx_callers lists them`);
  }
  lines.push(`## Impact: ${impact.size} file(s) depend on it (${depth} hops)`);
  for (const [f, h] of [...impact].slice(0, MAX_LISTED)) lines.push(`  ${f} (${h} hop${h === 1 ? '' : 's'})`);
  if (impact.size > MAX_LISTED) lines.push(`  … ${impact.size - MAX_LISTED} more`);
  lines.push(`## Tests: ${tests.length}`, ...tests.slice(0, MAX_LISTED).map((t) => `  ${t.path} (${t.why})`));
  lines.push(
    `## Smells: ${smells.length}`,
    ...smells.slice(0, MAX_LISTED).map((f) => `  ${f.file}:${f.line} ${f.rule}: ${f.message}`),
  );
  return lines;
}

function checklist(
  targets: Target[],
  impact: Map<string, number>,
  tests: RelatedTest[],
  smells: SmellFinding[],
  untested: Target[],
): string[] {
  const lines = [`Review checklist: ${targets.map((t) => t.path).join(', ') || 'no file in the code graph'}`];
  for (const t of targets) {
    const exported = t.symbols.filter((s) => s.exported);
    if (exported.length > 0)
      lines.push(
        `- [ ] ${exported.map((s) => s.qualified).join(', ')} in ${t.path} ${exported.length === 1 ? 'is' : 'are'} exported: is the change backward-compatible?`,
      );
    if (t.callerCount > 0)
      lines.push(
        `- [ ] ${t.callerCount} call site(s) in other files reach ${t.path} (first: ${t.callers[0]!.split(' → ')[0]}): do they still hold?`,
      );
  }
  if (impact.size > 0) {
    const near = [...impact.keys()].slice(0, 5).join(', ');
    lines.push(
      `- [ ] ${impact.size} file(s) depend on the change (${near}${impact.size > 5 ? ', …' : ''}): reviewed?`,
    );
  }
  if (tests.length > 0)
    lines.push(
      `- [ ] run the related tests: ${tests
        .slice(0, 10)
        .map((t) => t.path)
        .join(', ')}`,
    );
  for (const t of untested) lines.push(`- [ ] no test reaches ${t.path}: add one?`);
  for (const f of smells.slice(0, 20)) lines.push(`- [ ] ${f.rule} at ${f.file}:${f.line}: ${f.message}`);
  return lines;
}
