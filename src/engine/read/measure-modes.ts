import { type FileOutline, outlineFile } from '../languages/index.ts';
import { countTokens } from '../tokens.ts';
import { aggressiveText } from './aggressive.ts';
import { chooseMode } from './choose-mode.ts';
import { entropyFilter } from './entropy.ts';
import { headerLinesFor, renderMap, renderSignatures } from './render-outline.ts';

export const MEASURED_MODES = ['full', 'map', 'signatures', 'aggressive', 'entropy'] as const;
export type MeasuredMode = (typeof MEASURED_MODES)[number];

export interface ModeMeasure {
  mode: MeasuredMode;
  tokens: number;
  /** Median time of the timed runs, from file text to this mode's output; undefined when not timed. */
  ms: number | undefined;
  /** Share of top-level definition names (from the outline) present in the output, 0..1. */
  namesKept: number;
}

export interface FileMeasure {
  rel: string;
  lines: number;
  language: string | undefined;
  parser: FileOutline['parser'];
  symbols: number;
  fullTokens: number;
  recommended: string;
  /** Timed runs per mode (after one untimed warm-up run); 0 when only tokens were measured. */
  samples: number;
  modes: ModeMeasure[];
}

/** Names of definitions not nested in a class or function: what map and signatures must keep. */
export function topLevelNames(outline: FileOutline): string[] {
  const modules = new Set(outline.symbols.filter((s) => s.kind === 'module').map((s) => s.name));
  return [
    ...new Set(
      outline.symbols.filter((s) => s.parent === undefined || modules.has(s.parent)).map((s) => s.name),
    ),
  ].filter((n) => n !== '' && n !== 'default');
}

/** The output of one mode, as ctx_read would send it but without header or footer. */
export async function renderMode(
  mode: MeasuredMode,
  rel: string,
  text: string,
  outline: FileOutline,
): Promise<string> {
  const withHead = (body: string) => [...headerLinesFor(mode, outline), body].join('\n');
  switch (mode) {
    case 'full':
      return text;
    case 'map':
      return withHead(renderMap(outline));
    case 'signatures':
      return withHead(renderSignatures(outline));
    case 'aggressive':
      return withHead(await aggressiveText(rel, text));
    case 'entropy':
      return entropyFilter(text).text;
  }
}

/**
 * One mode's whole work from the file's text to its output, parse included for the modes
 * that need one, so every mode is timed on the same footing.
 */
async function produceMode(mode: MeasuredMode, rel: string, text: string): Promise<string> {
  if (mode === 'full') return text;
  if (mode === 'entropy') return entropyFilter(text).text;
  return renderMode(mode, rel, text, await outlineFile(rel, text));
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

export interface MeasureOptions {
  /** Timed runs per mode after one warm-up run; 0 measures tokens and names only. */
  samples: number;
  signal?: AbortSignal;
}

/** Tokens, kept names and (with samples) the median time of every mode for one file. */
export async function measureModes(rel: string, text: string, opts: MeasureOptions): Promise<FileMeasure> {
  const outline = await outlineFile(rel, text);
  const names = topLevelNames(outline);
  const fullTokens = countTokens(text);
  const modes: ModeMeasure[] = [];
  for (const mode of MEASURED_MODES) {
    opts.signal?.throwIfAborted();
    // the first run is the warm-up when timing: its output is what the mode sends
    const out = await produceMode(mode, rel, text);
    const times: number[] = [];
    for (let i = 0; i < opts.samples; i++) {
      opts.signal?.throwIfAborted();
      const start = performance.now();
      await produceMode(mode, rel, text);
      times.push(performance.now() - start);
    }
    const kept = names.filter((n) => out.includes(n)).length;
    modes.push({
      mode,
      tokens: countTokens(out),
      ms: times.length > 0 ? median(times) : undefined,
      namesKept: names.length === 0 ? 1 : kept / names.length,
    });
  }
  return {
    rel,
    lines: text.split('\n').length,
    language: outline.language,
    parser: outline.parser,
    symbols: outline.symbols.length,
    fullTokens,
    recommended: chooseMode(rel, fullTokens, outline, true),
    samples: opts.samples,
    modes,
  };
}
