import { z } from 'zod';
import { type Artifact, artifactsFor, loadArtifactRegistry } from '../../engine/artifact-registry.ts';
import { type DiffFile, parseDiffText, parseUnifiedDiff } from '../../engine/git/parse-diff.ts';
import { type PrBase, resolvePrBase } from '../../engine/git/pr-base.ts';
import { requireGitRepo, runGit } from '../../engine/git/run-git.ts';
import { impactOf, type RelatedTest, testsFor } from '../../engine/graph/change-context.ts';
import { outlineFile } from '../../engine/languages/index.ts';
import { loadFile } from '../../engine/read/load-file.ts';
import { renderMode } from '../../engine/read/measure-modes.ts';
import { savingsOf } from '../../engine/savings.ts';
import { countTokensAsync, savingsFooter } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { currentGraph, formatProgress, tokensOfFiles } from './graph-of.ts';
import { projectRootArg, withProjectRoot } from './project-root.ts';

/** A diff or name-status text a client may pass instead of the repository's history. */
export const MAX_DIFF_CHARS = 1024 * 1024;
const MAX_LISTED = 50;
const MAX_BUDGET_TOKENS = 100_000;

interface Pack {
  /** The project_root the pack was scoped to (paths are relative to it); undefined: the workspace. */
  projectRoot: string | undefined;
  base: PrBase | undefined;
  changed: DiffFile[];
  tests: RelatedTest[];
  impact: Map<string, number>;
  signatures: { path: string; text: string; tokens: number }[];
  omitted: string[];
  /** Registered artifacts (.lean-ctx-artifacts.json) about the changed paths. */
  artifacts: Artifact[];
  warnings: string[];
}

/** The signatures view of a changed file, as ctx_read mode=signatures renders it, or why there is none. */
async function signaturesOf(ctx: ToolContext, f: DiffFile): Promise<string> {
  if (f.status === 'deleted') return '(deleted)';
  try {
    const file = await loadFile(ctx.workspace, f.path, 'outlineBytes', ctx.signal);
    return await renderMode(
      'signatures',
      file.rel,
      file.text,
      await outlineFile(file.rel, file.text, ctx.signal),
    );
  } catch (err) {
    if (err instanceof ToolError) return `(${err.message})`;
    throw err;
  }
}

const list = <T>(items: readonly T[], line: (t: T) => string) => [
  ...items.slice(0, MAX_LISTED).map(line),
  ...(items.length > MAX_LISTED ? [`- … ${items.length - MAX_LISTED} more`] : []),
];

function renderMarkdown(p: Pack, depth: number): string {
  const plus = p.changed.reduce((n, f) => n + f.added, 0);
  const minus = p.changed.reduce((n, f) => n + f.removed, 0);
  const base = p.base
    ? `${p.base.head} vs ${p.base.label} (${p.base.commit.slice(0, 12)})`
    : 'the given diff';
  return [
    `# PR context: ${base}`,
    ...(p.projectRoot ? [`Project root: ${p.projectRoot} (paths below are relative to it)`] : []),
    `${p.changed.length} file(s) changed, +${plus} -${minus}`,
    ...(p.warnings.length > 0 ? ['', '## Warnings', ...list(p.warnings, (w) => `- ${w}`)] : []),
    '',
    '## Changed files',
    ...list(
      p.changed,
      (f) => `- ${f.path} ${f.status}${f.oldPath ? ` from ${f.oldPath}` : ''} +${f.added} -${f.removed}`,
    ),
    '',
    ...(p.artifacts.length > 0
      ? [
          '## Context artifacts',
          ...list(
            p.artifacts,
            (a) =>
              `- ${a.path}${a.isDir ? '/' : ''} (${a.name})${a.description ? `: ${a.description}` : ''}${a.tags.length > 0 ? ` [${a.tags.join(', ')}]` : ''}`,
          ),
          '',
        ]
      : []),
    '## Related tests',
    ...(p.tests.length > 0 ? list(p.tests, (t) => `- ${t.path} (${t.why})`) : ['- none found']),
    '',
    `## Impact (files that depend on the change, ${depth} hops)`,
    ...(p.impact.size > 0
      ? list([...p.impact], ([f, h]) => `- ${f} (${h} hop${h === 1 ? '' : 's'})`)
      : ['- none']),
    '',
    '## Signatures',
    ...p.signatures.flatMap((s) => [`### ${s.path}`, '```', s.text, '```']),
    ...(p.omitted.length > 0 ? [`Left out for the budget: ${p.omitted.join(', ')}`] : []),
  ].join('\n');
}

function toJson(p: Pack, budget: number, tokens: number): string {
  return JSON.stringify({
    project_root: p.projectRoot ?? null,
    base: p.base ?? null,
    changed: p.changed,
    tests: p.tests,
    impact: [...p.impact].map(([path, hops]) => ({ path, hops })),
    signatures: Object.fromEntries(p.signatures.map((s) => [s.path, s.text])),
    omitted: p.omitted,
    artifacts: p.artifacts,
    warnings: p.warnings,
    budget_tokens: budget,
    tokens,
  });
}

/** Counts the final text, the line that states the count included, until the stated count is the real one. */
async function stateCount(
  render: (tokens: number) => string,
  signal: AbortSignal,
): Promise<{ text: string; tokens: number }> {
  let tokens = 0;
  for (let i = 0; i < 5; i++) {
    const text = render(tokens);
    const real = await countTokensAsync(text, signal);
    if (real === tokens) return { text, tokens };
    tokens = real;
  }
  return { text: render(tokens), tokens };
}

export const ctxPack = defineTool({
  name: 'ctx_pack',
  description:
    'PR context in one answer: files changed since the base (git diff base...HEAD) with their signatures, related tests, impacted files and the registered artifacts (.lean-ctx-artifacts.json) about them, within a token budget.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    action: z.enum(['pr']),
    base: z
      .string()
      .max(200)
      .default('auto')
      .describe('auto: merge-base with the default branch, else HEAD~1'),
    format: z.enum(['markdown', 'json']).default('markdown'),
    depth: z.number().int().min(1).max(10).default(3).describe('Import hops for impact and tests'),
    diff: z
      .string()
      .max(MAX_DIFF_CHARS)
      .optional()
      .describe('A unified diff or `git diff --name-status` text to pack instead of git history'),
    budget_tokens: z.number().int().min(500).max(MAX_BUDGET_TOKENS).default(6000),
    project_root: projectRootArg,
  }),
  async run(args, outer) {
    const ctx = withProjectRoot(outer, args.project_root);
    const root = ctx.workspace.root;
    let base: PrBase | undefined;
    let changed: DiffFile[];
    if (args.diff !== undefined) {
      changed = parseDiffText(args.diff);
    } else {
      await requireGitRepo(root, 'ctx_pack', ctx.signal);
      base = await resolvePrBase(root, args.base, ctx.signal);
      const diff = await runGit(
        root,
        // --relative: paths from the project root, and only changes under it
        [
          'diff',
          '--no-color',
          '--no-ext-diff',
          '--relative',
          '-U0',
          '--find-renames',
          `${base.commit}...HEAD`,
          '--',
        ],
        ctx.signal,
      );
      changed = parseUnifiedDiff(diff);
    }
    const { graph, progress } = await currentGraph(ctx);
    const paths = changed.map((f) => f.path);
    const registry = await loadArtifactRegistry(ctx.workspace);
    const touched = [...paths, ...changed.flatMap((f) => (f.oldPath ? [f.oldPath] : []))];
    const pack: Pack = {
      projectRoot: ctx === outer ? undefined : outer.workspace.jail.toRel(ctx.workspace.root),
      base,
      changed,
      tests: testsFor(graph.store, paths, args.depth),
      impact: impactOf(graph.store, paths, args.depth),
      signatures: [],
      omitted: [],
      artifacts: artifactsFor(registry.artifacts, touched),
      warnings: registry.warnings,
    };
    const budget = args.budget_tokens;
    // the parts every pack holds come first; signatures fill what the budget leaves
    let used = await countTokensAsync(renderMarkdown(pack, args.depth), ctx.signal);
    const footerReserve = 40;
    for (const f of changed) {
      const text = await signaturesOf(ctx, f);
      const tokens = await countTokensAsync(`### ${f.path}\n\`\`\`\n${text}\n\`\`\`\n`, ctx.signal);
      if (used + tokens + footerReserve > budget) pack.omitted.push(f.path);
      else {
        pack.signatures.push({ path: f.path, text, tokens });
        used += tokens;
      }
    }
    const raw = await tokensOfFiles(graph, paths);
    const out =
      args.format === 'json'
        ? await stateCount((n) => toJson(pack, budget, n), ctx.signal)
        : await stateCount(
            (n) =>
              `${renderMarkdown(pack, args.depth)}\n${formatProgress(progress)}\n[${n} tok sent, budget ${budget}] ${savingsFooter(raw, n)}`,
            ctx.signal,
          );
    return { text: out.text, ...savingsOf(raw, out.tokens) };
  },
});
