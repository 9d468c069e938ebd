import { z } from 'zod';
import { archiveOf } from '../../engine/archive.ts';
import { withSavingsFooter } from '../../engine/savings.ts';
import { countTokens } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

interface Dir {
  files: string[];
  dirs: Map<string, Dir>;
  count: number;
}

const newDir = (): Dir => ({ files: [], dirs: new Map(), count: 0 });

/** Files listed per directory before the rest fold into a count by extension. */
const MAX_FILES_PER_DIR = 20;
/** Lines in a reply; a longer tree is cut and archived whole for ctx_expand. */
const MAX_LINES = 300;

function foldedFiles(files: string[]): string {
  const byExt = new Map<string, number>();
  for (const f of files) {
    const dot = f.lastIndexOf('.');
    const ext = dot > 0 ? f.slice(dot) : '(none)';
    byExt.set(ext, (byExt.get(ext) ?? 0) + 1);
  }
  const parts = [...byExt.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  return `… +${files.length} files (${parts.map(([e, n]) => `${e} ${n}`).join(', ')})`;
}

/** Renders the tree; `fold` caps files per directory. Returns whether anything was folded. */
function render(
  dir: Dir,
  depth: number,
  maxDepth: number,
  indent: string,
  out: string[],
  fold: boolean,
  paths: { prefix: string; out: string[] },
): boolean {
  let folded = false;
  for (const [name, child] of [...dir.dirs.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`${indent}${name}/ (${child.count})`);
    paths.out.push(`${paths.prefix}${name}/`);
    if (depth < maxDepth) {
      const sub = { prefix: `${paths.prefix}${name}/`, out: paths.out };
      folded = render(child, depth + 1, maxDepth, `${indent}  `, out, fold, sub) || folded;
    }
  }
  const limit = fold && dir.files.length > MAX_FILES_PER_DIR ? MAX_FILES_PER_DIR - 1 : dir.files.length;
  for (const file of dir.files.slice(0, limit)) {
    out.push(`${indent}${file}`);
    paths.out.push(`${paths.prefix}${file}`);
  }
  if (limit < dir.files.length) {
    out.push(`${indent}${foldedFiles(dir.files.slice(limit))}`);
    folded = true;
  }
  return folded;
}

export const ctxTree = defineTool({
  name: 'ctx_tree',
  description:
    'Directory tree with file counts, .gitignore-aware. Directories show as `name/ (files below)`; deeper levels fold into the count.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    path: z.string().default('.').describe('Directory relative to the workspace root'),
    depth: z.number().int().min(1).max(20).default(3).describe('Levels to show'),
    show_hidden: z.boolean().default(false).describe('Include dot-files and dot-directories'),
  }),
  async run(args, ctx) {
    const { abs, rel } = ctx.workspace.jail.resolve(args.path);
    const start = rel === '.' ? '' : rel;
    const { files } = await walkFiles(ctx.workspace.root, start, {
      showHidden: args.show_hidden,
      signal: ctx.signal,
      exclude: ctx.workspace.jail.excluded,
    }).catch((err: NodeJS.ErrnoException) => {
      throw new ToolError(`cannot list "${args.path}": ${err.code ?? err.message}`);
    });
    if (files.length === 0) {
      const { statSync } = await import('node:fs');
      const stat = (() => {
        try {
          return statSync(abs);
        } catch {
          return undefined;
        }
      })();
      if (!stat) throw new ToolError(`no such directory: "${args.path}"`);
      if (!stat.isDirectory()) throw new ToolError(`"${args.path}" is a file, not a directory; use ctx_read`);
    }
    const top = newDir();
    for (const file of files) {
      const parts = (start === '' ? file : file.slice(start.length + 1)).split('/');
      let dir = top;
      top.count++;
      for (const part of parts.slice(0, -1)) {
        let child = dir.dirs.get(part);
        if (!child) {
          child = newDir();
          dir.dirs.set(part, child);
        }
        child.count++;
        dir = child;
      }
      dir.files.push(parts.at(-1) ?? '');
    }
    const heading = `${rel === '.' ? '.' : rel}/ (${top.count} files)`;
    const lines = [heading];
    const shownPaths = { prefix: start === '' ? '' : `${start}/`, out: [] as string[] };
    const folded = render(top, 1, args.depth, '  ', lines, true, shownPaths);
    let body = lines.join('\n');
    if (folded || lines.length > MAX_LINES) {
      const full = [heading];
      render(top, 1, args.depth, '  ', full, false, { prefix: '', out: [] });
      const meta = archiveOf(ctx.workspace).put(full.join('\n'), 'ctx_tree', rel, { countTokens: false });
      const shown = lines.slice(0, MAX_LINES);
      const note = lines.length > MAX_LINES ? `showing ${MAX_LINES} of ${lines.length} lines; ` : '';
      body = `${shown.join('\n')}\n[${note}folded parts in full (${full.length} lines): ctx_expand id="${meta.id}"; or lower depth / narrow path]`;
    }
    // Baseline: the same entries as full paths, one a line; folded or cut entries count for
    // nothing. A shallow tree often costs more than that list (the counts): then no footer.
    const shownCount = Math.min(lines.length, MAX_LINES) - 1;
    const flat = shownPaths.out.slice(0, shownCount).join('\n');
    const measured = withSavingsFooter(body, countTokens(flat));
    return measured.tokensSaved > 0 ? measured : body;
  },
});
