import { ToolError } from '../../errors.ts';
import { type LineRange, parseLineRanges } from './line-ranges.ts';

export const READ_MODES = [
  'auto',
  'full',
  'map',
  'signatures',
  'diff',
  'aggressive',
  'entropy',
  'task',
  'reference',
] as const;

export type NamedMode = (typeof READ_MODES)[number];
export type ReadMode = { kind: NamedMode } | { kind: 'lines'; ranges: LineRange[]; spec: string };

/** `map` → {kind:'map'}; `lines:5,10-20` → ranges. Anything else is a ToolError listing the modes. */
export function parseReadMode(raw: string): ReadMode {
  const mode = raw.trim();
  if (mode.startsWith('lines:')) {
    const spec = mode.slice('lines:'.length);
    return { kind: 'lines', ranges: parseLineRanges(spec), spec };
  }
  if ((READ_MODES as readonly string[]).includes(mode)) return { kind: mode as NamedMode };
  throw new ToolError(
    `unknown mode "${raw}"; use one of ${READ_MODES.join(', ')} or lines:N-M (e.g. lines:5,10-20)`,
  );
}

export function modeName(mode: ReadMode): string {
  return mode.kind === 'lines' ? `lines:${mode.spec}` : mode.kind;
}
