import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { isSecretPath } from '../../engine/secrets.ts';
import { countTokens, savingsFooter } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

const MAX_READ_BYTES = 4 * 1024 * 1024;

/** `lines:5,10-20` → [[5,5],[10,20]] (1-based, inclusive). */
export function parseLineRanges(spec: string): [number, number][] {
  const ranges: [number, number][] = [];
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m)
      throw new ToolError(`bad line range "${part}" in "lines:${spec}"; write lines:N-M or lines:5,10-20`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (from < 1 || to < from)
      throw new ToolError(`bad line range "${part}": lines start at 1 and N-M needs M ≥ N`);
    ranges.push([from, to]);
  }
  return ranges;
}

export const ctxRead = defineTool({
  name: 'ctx_read',
  description:
    'Read a file. mode: full, or lines:N-M (comma lists like lines:5,10-20). Output starts with `F1=path NL` and ends with a token-savings footer.',
  scope: 'search',
  core: true,
  readOnly: true,
  input: z.object({
    path: z.string().describe('File path relative to the workspace root'),
    mode: z.string().default('full').describe('full | lines:N-M'),
    start_line: z.number().int().min(1).optional().describe('Read from this line to the end'),
    fresh: z.boolean().default(false).describe('Ignore the cache and send the full content'),
  }),
  async run(args, ctx) {
    const { abs, rel } = ctx.workspace.jail.resolve(args.path);
    if (isSecretPath(rel))
      throw new ToolError(`"${rel}" looks like a secret file (.env, key, credentials); refused`);
    const info = await stat(abs).catch(() => undefined);
    if (!info) throw new ToolError(`file not found: "${args.path}"; ctx_tree lists what exists`);
    if (info.isDirectory()) throw new ToolError(`"${args.path}" is a directory; use ctx_tree`);
    if (info.size > MAX_READ_BYTES) {
      throw new ToolError(
        `"${rel}" is ${info.size} bytes, over the ${MAX_READ_BYTES}-byte read limit; use lines:N-M`,
      );
    }
    const buf = await readFile(abs, { signal: ctx.signal });
    if (buf.subarray(0, 8000).includes(0)) throw new ToolError(`"${rel}" is a binary file; not read`);
    const text = buf.toString('utf8');
    const lines = text.split('\n');
    const lineCount = text.endsWith('\n') ? lines.length - 1 : lines.length;
    const mode = args.start_line
      ? `lines:${args.start_line}-${Math.max(args.start_line, lineCount)}`
      : args.mode;
    let body: string;
    if (mode === 'full') {
      body = text;
    } else if (mode.startsWith('lines:')) {
      const parts: string[] = [];
      for (const [from, to] of parseLineRanges(mode.slice('lines:'.length))) {
        for (let n = from; n <= Math.min(to, lineCount); n++) parts.push(`${n}|${lines[n - 1]}`);
      }
      body = parts.join('\n');
    } else {
      throw new ToolError(`unknown mode "${mode}"; use full or lines:N-M`);
    }
    const header = `F1=${rel} ${lineCount}L`;
    if (mode === 'full') return `${header}\n${body}`;
    const out = `${header}\n${body}`;
    return `${out}\n${savingsFooter(countTokens(text), countTokens(out))}`;
  },
});
