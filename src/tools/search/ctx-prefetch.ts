import { z } from 'zod';
import type { UpdateReport } from '../../engine/bm25/bm25-index.ts';
import { rankFilesForTask } from '../../engine/bm25/rank-files.ts';
import { loadFile, READ_LIMITS } from '../../engine/read/load-file.ts';
import { MAX_PATTERN_CHARS } from '../../engine/search/compile-pattern.ts';
import { searchEngineOf } from '../../engine/search/search-engine.ts';
import { countTokensAsync } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';
import { bm25Of } from './bm25-of.ts';

const INDEX_BUDGET_MS = 8_000;

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const IMPORT_LINE = (names: string) => `(import|from|require|include|use)\\b.*\\b(${names})\\b`;

/** Alternations of escaped names, each short enough to be one search pattern. */
function nameGroups(names: readonly string[]): string[] {
  const room = MAX_PATTERN_CHARS - IMPORT_LINE('').length;
  const groups: string[] = [];
  let group = '';
  for (const name of names.map(escapeRegex)) {
    if (name.length > room) continue;
    if (group !== '' && group.length + 1 + name.length > room) {
      groups.push(group);
      group = '';
    }
    group = group === '' ? name : `${group}|${name}`;
  }
  if (group !== '') groups.push(group);
  return groups;
}

/** Files whose import-like lines name one of the changed files (by base name). */
async function dependents(ctx: ToolContext, changed: string[], start: string): Promise<string[]> {
  const names = [...new Set(changed.map((f) => f.slice(f.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '')))];
  const paths = new Set<string>();
  for (const group of nameGroups(names.filter((n) => n !== ''))) {
    const out = await searchEngineOf(ctx.workspace).search({
      pattern: IMPORT_LINE(group),
      path: start,
      exts: [],
      ignoreGitignore: false,
      maxHits: 2000,
      signal: ctx.signal,
    });
    for (const h of out.hits) paths.add(h.path);
  }
  return [...paths];
}

export const ctxPrefetch = defineTool({
  name: 'ctx_prefetch',
  description:
    "Find the files a change touches (changed files, their importers, task matches) and load them into the server's file cache within a token budget; lists them with their size. Sends no file content.",
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().default('.'),
    task: z.string().max(INPUT_LIMITS.taskChars).optional(),
    changed_files: z.array(z.string()).max(INPUT_LIMITS.listItems).default([]),
    budget_tokens: z.number().int().min(100).max(200_000).default(3000),
    max_files: z.number().int().min(1).max(100).default(10),
  }),
  async run(args, ctx) {
    if (!args.task?.trim() && args.changed_files.length === 0) {
      throw new ToolError('give changed_files, a task, or both');
    }
    const { rel } = ctx.workspace.jail.resolve(args.path);
    const start = rel === '.' ? '' : rel;
    const changed = args.changed_files.map((f) => ctx.workspace.jail.resolve(f).rel);
    const candidates = [...changed, ...(await dependents(ctx, changed, start))];
    let indexed: UpdateReport | undefined;
    if (args.task?.trim()) {
      const { files } = await walkFiles(ctx.workspace.root, start, {
        signal: ctx.signal,
        exclude: ctx.workspace.jail.excluded,
      });
      const index = bm25Of(ctx.workspace);
      indexed = await index.update(start, INDEX_BUDGET_MS);
      candidates.push(
        ...(
          await rankFilesForTask(index, files, args.task, {
            prefix: start,
            limit: args.max_files,
            signal: ctx.signal,
          })
        ).map((f) => f.path),
      );
    }
    const picked: string[] = [];
    const skipped: string[] = [];
    const unreadable: string[] = [];
    let used = 0;
    for (const path of [...new Set(candidates)]) {
      if (picked.length >= args.max_files) {
        skipped.push(path);
        continue;
      }
      // loadFile keeps what it read in the workspace's file cache: that is the warming
      const file = await loadFile(ctx.workspace, path, 'wholeBytes', ctx.signal).catch((err: unknown) => {
        if (err instanceof ToolError) return undefined;
        throw err;
      });
      if (file === undefined) {
        unreadable.push(path);
        continue;
      }
      const tokens = await countTokensAsync(file.text, ctx.signal);
      if (used + tokens > args.budget_tokens) {
        skipped.push(path);
        continue;
      }
      used += tokens;
      picked.push(`${file.rel} (${tokens} tok)`);
    }
    const lines = [
      `Prefetched ${picked.length} files, ${used} of ${args.budget_tokens} budget tokens, into the server's file cache (a later read of an unchanged one costs a stat, not a read; nothing was sent to your context):`,
      ...picked.map((p) => `  ${p}`),
    ];
    const list = (paths: string[]) =>
      `${paths.slice(0, 20).join(', ')}${paths.length > 20 ? ` +${paths.length - 20}` : ''}`;
    if (skipped.length > 0) lines.push(`over budget or max_files: ${list(skipped)}`);
    if (unreadable.length > 0)
      lines.push(
        `not readable (missing, binary, secret or over ${READ_LIMITS.wholeBytes / 1024 / 1024} MB): ${list(unreadable)}`,
      );
    if (indexed) {
      const pending = indexed.pending > 0 ? `, ${indexed.pending} still indexing` : '';
      lines.push(
        `BM25 index for the task: ${indexed.indexed} files indexed (${indexed.parsed} parsed now)${pending}`,
      );
    }
    return lines.join('\n');
  },
});
