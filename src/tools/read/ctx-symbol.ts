import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type CodeSymbol, grammarOf, languageOf, outlineFile } from '../../engine/languages/index.ts';
import { splitLines } from '../../engine/read/line-ranges.ts';
import { loadFile, READ_LIMITS } from '../../engine/read/load-file.ts';
import { isSecretPath } from '../../engine/secrets.ts';
import { walkFiles } from '../../engine/walker.ts';
import { ToolError } from '../../errors.ts';
import { defineTool, type ToolContext } from '../define-tool.ts';
import { INPUT_LIMITS } from '../input-limits.ts';

const KINDS: Record<string, readonly string[]> = {
  fn: ['function', 'method'],
  class: ['class'],
  struct: ['struct'],
  method: ['method'],
  trait: ['trait', 'interface'],
  enum: ['enum'],
};
const MAX_MATCHES = 5;
const MAX_SYMBOL_LINES = 400;
const PARSE_BATCH = 4;

interface Hit {
  rel: string;
  symbol: CodeSymbol;
  lines: string[];
}

function matches(symbol: CodeSymbol, name: string, kind: string | undefined): boolean {
  const [owner, member] = name.includes('.') ? name.split('.', 2) : [undefined, name];
  if (symbol.name !== member) return false;
  if (owner !== undefined && symbol.parent !== owner) return false;
  return kind === undefined || (KINDS[kind] ?? []).includes(symbol.kind);
}

async function findIn(
  rel: string,
  text: string,
  name: string,
  kind: string | undefined,
  signal: AbortSignal,
): Promise<Hit[]> {
  const outline = await outlineFile(rel, text, signal);
  const lines = splitLines(text);
  return outline.symbols.filter((s) => matches(s, name, kind)).map((symbol) => ({ rel, symbol, lines }));
}

async function searchWorkspace(ctx: ToolContext, name: string, kind: string | undefined): Promise<Hit[]> {
  const bare = name.slice(name.lastIndexOf('.') + 1);
  const { files } = await walkFiles(ctx.workspace.root, '', {
    signal: ctx.signal,
    exclude: ctx.workspace.jail.excluded,
  });
  const hits: Hit[] = [];
  // files are parsed a few at a time, on the engine's worker threads
  let batch: Promise<Hit[]>[] = [];
  const drain = async () => {
    for (const found of await Promise.all(batch)) hits.push(...found);
    batch = [];
  };
  for (const rel of files) {
    if (hits.length >= MAX_MATCHES) break;
    if (isSecretPath(rel) || !grammarOf(languageOf(rel))) continue;
    const text = await readFile(join(ctx.workspace.root, rel), 'utf8').catch(() => '');
    if (text.length > READ_LIMITS.wholeBytes || !text.includes(bare)) continue;
    const found = findIn(rel, text, name, kind, ctx.signal);
    // It may reject (a cancelled call) while the loop awaits the next read, before drain()
    // awaits it: unhandled, that rejection would end the process.
    found.catch(() => {});
    batch.push(found);
    if (batch.length >= PARSE_BATCH) await drain();
  }
  await drain();
  return hits.slice(0, MAX_MATCHES);
}

export const ctxSymbol = defineTool({
  name: 'ctx_symbol',
  description:
    'The source of one symbol by name (`parse` or `Parser.parse`), line-numbered; searches the workspace unless file is given.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    name: z.string().min(1).max(INPUT_LIMITS.nameChars),
    file: z.string().optional().describe('Only look in this file'),
    kind: z.enum(['fn', 'class', 'struct', 'method', 'trait', 'enum']).optional(),
  }),
  async run(args, ctx) {
    let hits: Hit[];
    if (args.file) {
      const file = await loadFile(ctx.workspace, args.file, 'wholeBytes', ctx.signal);
      hits = await findIn(file.rel, file.text, args.name, args.kind, ctx.signal);
    } else {
      hits = await searchWorkspace(ctx, args.name, args.kind);
    }
    if (hits.length === 0) {
      const where = args.file ? `in ${args.file}` : 'in the workspace';
      throw new ToolError(
        `no symbol "${args.name}" ${where}; ctx_outline lists a file's symbols, ctx_search finds text`,
      );
    }
    return hits
      .map(({ rel, symbol, lines }) => {
        const last = Math.min(symbol.endLine, symbol.startLine + MAX_SYMBOL_LINES - 1);
        const body = lines
          .slice(symbol.startLine - 1, last)
          .map((l, i) => `${String(symbol.startLine + i).padStart(4)}|${l}`);
        const cut =
          last < symbol.endLine
            ? [`[cut at ${MAX_SYMBOL_LINES} lines; rest: ctx_read mode=lines:${last + 1}-${symbol.endLine}]`]
            : [];
        return [
          `File: ${rel} ${symbol.kind} ${symbol.name} (L${symbol.startLine}-${symbol.endLine})`,
          ...body,
          ...cut,
        ].join('\n');
      })
      .join('\n---\n');
  },
});
