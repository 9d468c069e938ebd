import { isKeyLine, type OutputRule } from './rule-kit.ts';
import { GIT_RULES } from './rules/git.ts';
import { INFRA_RULES } from './rules/infra.ts';
import { NATIVE_RULES } from './rules/native.ts';
import { NODE_RULES } from './rules/node.ts';
import { PYTHON_RULES } from './rules/python.ts';
import { SYSTEM_RULES } from './rules/system.ts';

export { isKeyLine, isProblemLine, locationsIn, type OutputRule } from './rule-kit.ts';

/** Command-specific rules, first match wins (pytest before the generic test runners). */
export const COMMAND_RULES: readonly OutputRule[] = [
  ...GIT_RULES,
  ...PYTHON_RULES,
  ...NODE_RULES,
  ...NATIVE_RULES,
  ...INFRA_RULES,
  ...SYSTEM_RULES,
];

/** Consecutive equal lines (numbers aside) folded into one, with a count line after it. */
export function foldRepeats(lines: string[]): string[] {
  const out: string[] = [];
  const shape = (l: string) => l.replace(/\d+/g, '#');
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as string;
    let j = i + 1;
    while (
      j < lines.length &&
      (isKeyLine(line) ? lines[j] === line : shape(lines[j] as string) === shape(line))
    )
      j++;
    out.push(line);
    if (j - i > 2) out.push(`[… ${j - i - 1} more like the line above]`);
    else if (j - i === 2) out.push(lines[i + 1] as string);
    i = j;
  }
  return out;
}

/** Past `maxLines`: the first and last lines, and every key line in between. */
export function headTail(lines: string[], maxLines: number): string[] {
  if (lines.length <= maxLines) return lines;
  const edge = Math.floor(maxLines / 2);
  const out = lines.slice(0, edge);
  let skipped = 0;
  for (let i = edge; i < lines.length - edge; i++) {
    const line = lines[i] as string;
    if (isKeyLine(line)) {
      if (skipped > 0) out.push(`[… ${skipped} lines]`);
      skipped = 0;
      out.push(line);
    } else skipped++;
  }
  if (skipped > 0) out.push(`[… ${skipped} lines]`);
  return [...out, ...lines.slice(lines.length - edge)];
}

/** Output at least this long that parses as JSON is worth a shape summary. */
const JSON_SHAPE_MIN_CHARS = 2_000;
const JSON_SHAPE_MAX_DEPTH = 4;

function shapeOf(value: unknown, depth: number): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[${value.length} × ${shapeOf(value[0], depth + 1)}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (depth >= JSON_SHAPE_MAX_DEPTH) return `{${entries.length} keys}`;
    const shown = entries.slice(0, 20).map(([k, v]) => `${k}: ${shapeOf(v, depth + 1)}`);
    if (entries.length > 20) shown.push(`… ${entries.length - 20} more keys`);
    return `{ ${shown.join(', ')} }`;
  }
  if (typeof value === 'string')
    return value.length <= 40 ? JSON.stringify(value) : `string(${value.length})`;
  return String(value);
}

/**
 * Large JSON output: its shape (keys, array lengths, the first element of each array, short
 * values) and, as they were, every line that holds an error, warning or location.
 */
export function jsonShape(lines: string[]): string[] {
  const text = lines.join('\n');
  if (text.length < JSON_SHAPE_MIN_CHARS || !/^\s*[[{]/.test(text)) return lines;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return lines;
  }
  return [`JSON (${text.length} chars), shape: ${shapeOf(value, 0)}`, ...lines.filter(isKeyLine)];
}
