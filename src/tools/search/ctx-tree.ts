import { z } from 'zod';
import { countTokens, savingsFooter } from '../../engine/tokens.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

interface Dir {
  files: string[];
  dirs: Map<string, Dir>;
  count: number;
}

const newDir = (): Dir => ({ files: [], dirs: new Map(), count: 0 });

function render(dir: Dir, depth: number, maxDepth: number, indent: string, out: string[]): void {
  for (const [name, child] of [...dir.dirs.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
    out.push(`${indent}${name}/ (${child.count})`);
    if (depth < maxDepth) render(child, depth + 1, maxDepth, `${indent}  `, out);
  }
  for (const file of dir.files) out.push(`${indent}${file}`);
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
    const lines = [`${rel === '.' ? '.' : rel}/ (${top.count} files)`];
    render(top, 1, args.depth, '  ', lines);
    const body = lines.join('\n');
    const flat = files.join('\n');
    return `${body}\n${savingsFooter(countTokens(flat), countTokens(body))}`;
  },
});
