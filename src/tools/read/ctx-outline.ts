import { z } from 'zod';
import { outlineFile, type SymbolKind } from '../../engine/languages/index.ts';
import { loadFile } from '../../engine/read/load-file.ts';
import { savingsOf } from '../../engine/savings.ts';
import { countTokens, countTokensAsync, savingsFooter } from '../../engine/tokens.ts';
import { defineTool } from '../define-tool.ts';

const KIND_FILTER: Record<string, readonly SymbolKind[] | undefined> = {
  all: undefined,
  fn: ['function', 'method'],
  class: ['class', 'interface', 'trait'],
  struct: ['struct', 'enum', 'type'],
};

export const ctxOutline = defineTool({
  name: 'ctx_outline',
  description: 'The symbols of one file with kind, line range and signature (tree-sitter for 14 languages).',
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().describe('Path relative to the workspace root'),
    kind: z.enum(['all', 'fn', 'class', 'struct']).default('all'),
  }),
  async run(args, ctx) {
    const file = await loadFile(ctx.workspace, args.path, 'outlineBytes', ctx.signal);
    const outline = await outlineFile(file.rel, file.text, ctx.signal);
    const kinds = KIND_FILTER[args.kind];
    const symbols = outline.symbols.filter((s) => !kinds || kinds.includes(s.kind));
    const lines = symbols.map((s) => {
      const owner = s.parent ? `${s.parent}.` : '';
      return `L${s.startLine}-${s.endLine} ${s.kind} ${owner}${s.name}${s.exported ? ' (exported)' : ''}: ${s.signature}`;
    });
    const head = `${file.rel} ${file.lineCount}L ${outline.language ?? 'text'} (${outline.parser}), ${symbols.length} symbols`;
    const out = [head, ...lines].join('\n');
    const raw = await countTokensAsync(file.text, ctx.signal);
    const sent = countTokens(out);
    return { text: `${out}\n${savingsFooter(raw, sent)}`, ...savingsOf(raw, sent) };
  },
});
