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
  ms: number;
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

/** Tokens, time and kept names of every mode for one file: for ctx_analyze and ctx_benchmark. */
export async function measureModes(rel: string, text: string): Promise<FileMeasure> {
  const outline = await outlineFile(rel, text);
  const names = topLevelNames(outline);
  const fullTokens = countTokens(text);
  const modes: ModeMeasure[] = [];
  for (const mode of MEASURED_MODES) {
    const start = performance.now();
    const out = await renderMode(mode, rel, text, outline);
    const ms = performance.now() - start;
    const kept = names.filter((n) => out.includes(n)).length;
    modes.push({
      mode,
      tokens: countTokens(out),
      ms,
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
    modes,
  };
}
