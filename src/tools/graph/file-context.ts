import type { CodeGraph } from '../../engine/graph/code-graph.ts';
import { looksLikeTest } from '../../engine/graph/file-graph.ts';
import { type Commit, changedFiles, churn, commitsTouching } from '../../engine/graph/git-state.ts';
import { type ImpactedFile, impactOf } from '../../engine/graph/impact.ts';
import { importLines } from '../../engine/graph/import-lines.ts';
import { runEngineTask } from '../../engine/workers/engine-pool.ts';
import { knowledgeTerms } from '../../store/knowledge.ts';
import type { ToolContext } from '../define-tool.ts';
import { graphFileOf } from './graph-of.ts';

/** Commits listed for a file. */
const COMMITS_SHOWN = 5;
const LISTED = 50;

const at = (path: string, line: number | undefined) => (line === undefined ? path : `${path}:${line}`);
const hops = (n: number) => `${n} hop${n === 1 ? '' : 's'}`;

function listed<T>(items: readonly T[], show: (t: T) => string): string[] {
  const lines = items.slice(0, LISTED).map((t) => `  ${show(t)}`);
  if (items.length > LISTED) lines.push(`  +${items.length - LISTED} more`);
  return lines;
}

const testLine = (t: ImpactedFile) =>
  `${at(t.path, t.line)} (${hops(t.hops)}${t.hops > 1 ? `, via ${t.via}` : ''})`;
const commitLine = (c: Commit) => `${c.hash} ${c.date} ${c.author}: ${c.subject}`;

async function commitsSection(ctx: ToolContext, rel: string): Promise<string[]> {
  const commits = await commitsTouching(ctx.workspace.root, rel, COMMITS_SHOWN, ctx.signal);
  if (!commits.ok) return [`commits: unavailable, ${commits.reason}`];
  if (commits.value.length === 0) return ['commits: none touch this file yet'];
  return [`commits (newest ${commits.value.length}):`, ...listed(commits.value, commitLine)];
}

/** Facts searched for a file before the exact-mention filter. */
const KNOWLEDGE_POOL = 100;
const KNOWLEDGE_SHOWN = 5;

/** The team's current knowledge facts that mention the file by path or by file name. */
async function knowledgeSection(ctx: ToolContext, rel: string): Promise<string[]> {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  const terms = [...new Set(knowledgeTerms(rel))].slice(0, 64);
  if (terms.length === 0) return [];
  const facts = await ctx.store.knowledge.search(ctx.workspace.id, terms, { limit: KNOWLEDGE_POOL });
  const mentions = facts
    .map(({ fact }) => fact)
    .filter((f) => `${f.key} ${f.value}`.includes(rel) || `${f.key} ${f.value}`.includes(name));
  if (mentions.length === 0) return ['knowledge: no fact mentions this file'];
  return [
    `knowledge (${mentions.length} fact(s) mention it):`,
    ...listed(mentions.slice(0, KNOWLEDGE_SHOWN), (f) => {
      const value = f.value.length > 120 ? `${f.value.slice(0, 117)}...` : f.value;
      return `${f.category}/${f.key}: ${value.replace(/\s+/g, ' ')}`;
    }),
  ];
}

/** Tests (test-looking files that depend on it within `depth`) and recent commits of a file, as nodes around it. */
export async function enrichFile(graph: CodeGraph, ctx: ToolContext, rel: string, depth: number) {
  const tests = await impactOf(ctx.workspace.root, graph.store, rel, depth, looksLikeTest);
  const text = [
    `${rel}: ${tests.length} test file(s) within ${hops(depth)}`,
    ...listed(tests, testLine),
    ...(await commitsSection(ctx, rel)),
    ...(await knowledgeSection(ctx, rel)),
  ];
  return { text, files: [rel, ...tests.map((t) => t.path)] };
}

/** The whole graph's test coverage by imports, and the most changed files when git is there. */
export async function enrichGraph(ctx: ToolContext) {
  const history = await churn(ctx.workspace.root, ctx.signal);
  const c = await runEngineTask(
    'testCoverage',
    { file: graphFileOf(ctx.workspace), ...(history.ok ? { churn: history.value.byFile } : {}) },
    { signal: ctx.signal },
  );
  const text = [
    `${c.tests} test file(s); ${c.covered} of ${c.code} other file(s) imported directly by a test`,
  ];
  if (!history.ok) text.push(`most changed: unavailable, ${history.reason}`);
  else {
    text.push(`most changed (commits of the last ${history.value.commits}):`);
    text.push(...c.mostChanged.map(([p, k]) => `  ${p} (${k} commit${k === 1 ? '' : 's'})`));
  }
  return { text, files: c.mostChanged.map(([p]) => p) };
}

/** What an agent needs before touching a file: imports, dependents, tests, commits, local changes. */
export async function fileContext(graph: CodeGraph, ctx: ToolContext, rel: string) {
  const { store } = graph;
  const file = store.file(rel)!;
  const symbols = store.symbolsIn(rel);
  const imports = store.importsOf(rel);
  const inside = [...new Set(imports.flatMap((i) => (i.target && i.target !== rel ? [i.target] : [])))];
  const packages = [...new Set(imports.filter((i) => !i.target).map((i) => i.specifier))];
  const lines = await importLines(
    ctx.workspace.root,
    store,
    inside.map((to) => ({ from: rel, to })),
  );
  const dependents = await impactOf(ctx.workspace.root, store, rel, 1);
  const tests = await impactOf(ctx.workspace.root, store, rel, 2, looksLikeTest);
  const exported = symbols.filter((s) => s.exported);
  const changes = await changedFiles(ctx.workspace.root, ctx.signal);
  const local = changes.ok ? changes.value.find((c) => c.path === rel) : undefined;
  const text = [
    `${rel}: ${file.language}, ${file.lines} lines, ${symbols.length} symbols (${exported.length} exported)` +
      (changes.ok ? (local ? `, ${local.status} against HEAD` : ', unchanged against HEAD') : ''),
    `imports (${inside.length} file(s)${packages.length > 0 ? `, ${packages.length} package(s)` : ''}):`,
    ...listed(inside, (to) => `${at(rel, lines.get(`${rel}\0${to}`))} → ${to}`),
    ...(packages.length > 0 ? [`  packages: ${packages.slice(0, LISTED).join(', ')}`] : []),
    `dependents (${dependents.length}):`,
    ...listed(dependents, (d) => at(d.path, d.line)),
    `tests (${tests.length} within 2 hops):`,
    ...listed(tests, testLine),
    ...(await commitsSection(ctx, rel)),
    ...(await knowledgeSection(ctx, rel)),
  ];
  return { text, files: [rel, ...inside, ...dependents.map((d) => d.path)] };
}
