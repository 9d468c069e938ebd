import type { FileOutline } from '../languages/index.ts';

/** Files an agent must see word for word: instructions and rules. */
const INSTRUCTION_FILE =
  /(^|\/)(AGENTS|CLAUDE|GEMINI|SKILL|CONVENTIONS)\.md$|(^|\/)\.cursorrules$|(^|\/)\.cursor\/rules\/|(^|\/)skills\//i;

export const AUTO_THRESHOLDS = {
  /** At or under this, the whole file is cheaper than a second call for the part you need. */
  fullTokens: 2000,
  /** Plain text up to this is still sent whole. */
  textTokens: 6000,
  /** Code over this gets the map (top level only) rather than every signature. */
  mapTokens: 20000,
} as const;

export type AutoMode = 'full' | 'map' | 'signatures' | 'aggressive';

/** The mode `auto` picks for a file, given its size in tokens and its outline. */
export function chooseMode(
  rel: string,
  tokens: number,
  outline: FileOutline,
  wholeAllowed: boolean,
): AutoMode {
  if (INSTRUCTION_FILE.test(rel) && wholeAllowed) return 'full';
  if (tokens <= AUTO_THRESHOLDS.fullTokens && wholeAllowed) return 'full';
  const isCode =
    outline.parser === 'tree-sitter' || (outline.symbols.length >= 3 && outline.language !== 'markdown');
  if (isCode) return tokens > AUTO_THRESHOLDS.mapTokens ? 'map' : 'signatures';
  if (tokens <= AUTO_THRESHOLDS.textTokens && wholeAllowed) return 'full';
  return outline.symbols.length > 0 ? 'map' : wholeAllowed ? 'aggressive' : 'map';
}
