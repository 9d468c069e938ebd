import { countTokensAsync } from '../tokens.ts';
import { parseCommand } from './command-policy.ts';
import {
  COMMAND_RULES,
  foldRepeats,
  headTail,
  isProblemLine,
  jsonShape,
  locationsIn,
} from './output-rules.ts';

/** Lines shown past which only the first and last half of these (and every key line) stay. */
export const MAX_SHOWN_LINES = 120;

export interface CompressedOutput {
  text: string;
  /** Rules that made the text smaller, in the order applied. */
  rules: string[];
  tokensRaw: number;
  tokensSent: number;
  /** Whether lines were left out (not merely rewritten): the full text should be archived. */
  omitted: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g;

/**
 * What the agent sees of a command's output: a command-specific rule, then a shape summary of
 * large JSON, repeated-line folding, then head and tail; each step is kept only when it leaves every key line
 * (errors, warnings, `file:line`) in place and costs fewer o200k tokens.
 */
export async function compressOutput(
  command: string,
  raw: string,
  signal?: AbortSignal,
): Promise<CompressedOutput> {
  const clean = raw.replace(ANSI, '').replace(/[ \t]+$/gm, '');
  const lines = clean.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const problems = new Set(lines.filter(isProblemLine));
  const places = new Set(locationsIn(clean));
  const parsed = parseCommand(command);
  const argvs = 'commands' in parsed ? parsed.commands : [];
  const rule = COMMAND_RULES.find((r) => argvs.some((argv) => r.matches(argv)));
  const steps: { name: string; apply: (l: string[]) => string[]; omits: boolean }[] = [
    ...(rule ? [{ name: rule.name, apply: rule.apply, omits: true }] : []),
    { name: 'JSON shape', apply: jsonShape, omits: true },
    { name: 'repeated lines', apply: foldRepeats, omits: true },
    { name: 'head and tail', apply: (l: string[]) => headTail(l, MAX_SHOWN_LINES), omits: true },
  ];
  const tokensRaw = await countTokensAsync(raw, signal);
  let current = lines;
  // counted as the steps see it (no trailing newline), so a step that changes nothing never looks smaller
  let tokens = await countTokensAsync(lines.join('\n'), signal);
  const rules: string[] = [];
  let omitted = false;
  for (const step of steps) {
    const next = step.apply(current);
    const present = new Set(next);
    const joined = next.join('\n');
    if ([...problems].some((k) => !present.has(k)) || [...places].some((p) => !joined.includes(p))) continue;
    const nextTokens = await countTokensAsync(joined, signal);
    if (nextTokens >= tokens) continue;
    current = next;
    tokens = nextTokens;
    rules.push(step.name);
    omitted ||= step.omits;
  }
  if (rules.length === 0) return { text: raw, rules, tokensRaw, tokensSent: tokensRaw, omitted: false };
  const text = current.join('\n');
  return { text, rules, tokensRaw, tokensSent: tokens, omitted };
}
