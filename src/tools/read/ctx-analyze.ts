import { z } from 'zod';
import { entropyFilter } from '../../engine/read/entropy.ts';
import { loadFile } from '../../engine/read/load-file.ts';
import { measureModes } from '../../engine/read/measure-modes.ts';
import { defineTool } from '../define-tool.ts';

export const ctxAnalyze = defineTool({
  name: 'ctx_analyze',
  description: 'How compressible a file is: entropy, definitions, tokens per read mode, and the mode to use.',
  scope: 'search',
  readOnly: true,
  input: z.object({ path: z.string().describe('Path relative to the workspace root') }),
  async run(args, ctx) {
    const file = await loadFile(ctx.workspace, args.path, 'wholeBytes', ctx.signal);
    // tokens and names only: this report shows no times, so it takes none
    const m = await measureModes(file.rel, file.text, { samples: 0, signal: ctx.signal });
    const entropy = entropyFilter(file.text);
    const rows = m.modes.map((x) => {
      const pct = m.fullTokens > 0 ? Math.round((1 - x.tokens / m.fullTokens) * 100) : 0;
      return `  ${x.mode.padEnd(10)} ${String(x.tokens).padStart(7)} tok  ${String(pct).padStart(3)}% saved  names ${Math.round(x.namesKept * 100)}%`;
    });
    return [
      `${file.rel}: ${file.lineCount}L, ${m.fullTokens} tok, ${m.language ?? 'text'} (${m.parser}), ${m.symbols} definitions`,
      `entropy: mean ${entropy.meanEntropy.toFixed(2)} bits/line, ${entropy.dropped} low-information lines`,
      'modes:',
      ...rows,
      `recommended: ${m.recommended}`,
    ].join('\n');
  },
});
