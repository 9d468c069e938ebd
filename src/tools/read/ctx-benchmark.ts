import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { languageOf } from '../../engine/languages/index.ts';
import { loadFile, READ_LIMITS } from '../../engine/read/load-file.ts';
import { type FileMeasure, MEASURED_MODES, measureModes } from '../../engine/read/measure-modes.ts';
import { isSecretPath } from '../../engine/secrets.ts';
import { walkFiles } from '../../engine/walker.ts';
import { defineTool } from '../define-tool.ts';

const MAX_PROJECT_FILES = 50;
const MAX_PROJECT_FILE_BYTES = 100 * 1024;
/** Timed runs per file and mode, after one warm-up run; fewer over a project sample. */
const FILE_SAMPLES = 7;
const PROJECT_SAMPLES = 3;

interface Row {
  mode: string;
  tokens: number;
  full: number;
  ms: number;
  kept: number;
}

function summarize(files: readonly FileMeasure[]): Row[] {
  return MEASURED_MODES.map((mode) => {
    const ms = files.map((f) => f.modes.find((m) => m.mode === mode));
    return {
      mode,
      tokens: ms.reduce((s, m) => s + (m?.tokens ?? 0), 0),
      full: files.reduce((s, f) => s + f.fullTokens, 0),
      // each file's median, averaged over the files
      ms: ms.reduce((s, m) => s + (m?.ms ?? 0), 0) / Math.max(1, files.length),
      kept: ms.reduce((s, m) => s + (m?.namesKept ?? 0), 0) / Math.max(1, files.length),
    };
  });
}

function format(rows: readonly Row[], files: number, samples: number, as: 'terminal' | 'markdown'): string {
  const pct = (r: Row) => (r.full > 0 ? ((1 - r.tokens / r.full) * 100).toFixed(1) : '0.0');
  const head = `${files} files; ms/file: median of ${samples} runs after a warm-up, file text to output, parsing included`;
  if (as === 'markdown') {
    return [
      head,
      '| mode | tokens | saved | names kept | ms/file |',
      '|---|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.mode} | ${r.tokens} | ${pct(r)}% | ${(r.kept * 100).toFixed(1)}% | ${r.ms.toFixed(2)} |`,
      ),
    ].join('\n');
  }
  return [
    head,
    ...rows.map(
      (r) =>
        `${r.mode.padEnd(10)} ${String(r.tokens).padStart(8)} tok  ${pct(r).padStart(5)}% saved  names ${(r.kept * 100).toFixed(1)}%  ${r.ms.toFixed(2)} ms/file`,
    ),
  ].join('\n');
}

export const ctxBenchmark = defineTool({
  name: 'ctx_benchmark',
  description:
    'Measure every read mode on a file or a project sample (up to 50 files): tokens, % saved, top-level names kept, median ms per file.',
  scope: 'search',
  readOnly: true,
  input: z.object({
    path: z.string().describe('A file, or a directory for action=project'),
    action: z.enum(['file', 'project']).default('file'),
    format: z.enum(['terminal', 'markdown', 'json']).default('terminal'),
  }),
  async run(args, ctx) {
    const measures: FileMeasure[] = [];
    if (args.action === 'file') {
      const file = await loadFile(ctx.workspace, args.path, 'wholeBytes', ctx.signal);
      measures.push(await measureModes(file.rel, file.text, { samples: FILE_SAMPLES, signal: ctx.signal }));
    } else {
      const { rel } = ctx.workspace.jail.resolve(args.path);
      const { files } = await walkFiles(ctx.workspace.root, rel === '.' ? '' : rel, {
        signal: ctx.signal,
        exclude: ctx.workspace.jail.excluded,
      });
      for (const f of files) {
        if (measures.length >= MAX_PROJECT_FILES) break;
        if (isSecretPath(f) || languageOf(f) === undefined) continue;
        const text = await readFile(join(ctx.workspace.root, f), 'utf8').catch(() => '');
        if (
          text === '' ||
          text.length > Math.min(MAX_PROJECT_FILE_BYTES, READ_LIMITS.wholeBytes) ||
          text.includes('\0')
        )
          continue;
        measures.push(await measureModes(f, text, { samples: PROJECT_SAMPLES, signal: ctx.signal }));
      }
    }
    const rows = summarize(measures);
    const samples = args.action === 'file' ? FILE_SAMPLES : PROJECT_SAMPLES;
    if (args.format === 'json') {
      return JSON.stringify({ files: measures.length, samples, modes: rows }, null, 1);
    }
    return format(rows, measures.length, samples, args.format);
  },
});
