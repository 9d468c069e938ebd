import { readFile } from 'node:fs/promises';
import { commentRanges } from '../languages/comment-ranges.ts';

/**
 * Decision points by token scan, on text whose comments and string literals are blanked:
 * branches (`if`, `elif`, `case`, `when`), loops (`for`, `foreach`, `while`, `until`, `loop`),
 * handlers (`catch`, `except`, `rescue`), short-circuit operators (`&&`, `||`, `??`, `and`, `or`)
 * and the ternary ` ? `. McCabe's number is one more than their count.
 */
const DECISION =
  /\b(?:if|elif|elsif|case|when|for|foreach|while|until|loop|catch|except|rescue|and|or)\b|&&|\|\||\?\?|\s\?\s/g;
const STRING = /(['"`])(?:\\.|(?!\1)[^\\\n])*\1/g;

async function codeOnly(rel: string, text: string): Promise<string> {
  const ranges = (await commentRanges(rel, text)) ?? [];
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += text.slice(at, start) + text.slice(start, end).replace(/[^\n]/g, ' ');
    at = end;
  }
  return (out + text.slice(at)).replace(STRING, (s) => s.replace(/[^\n]/g, ' '));
}

/** Cyclomatic complexity of each line range (1-based, inclusive) of one file; nested functions count toward their parent. */
export async function complexityHere(input: {
  rel: string;
  text: string;
  ranges: readonly (readonly [number, number])[];
}): Promise<number[]> {
  const lines = (await codeOnly(input.rel, input.text)).split('\n');
  const perLine = lines.map((l) => l.match(DECISION)?.length ?? 0);
  const prefix = [0];
  for (const n of perLine) prefix.push(prefix[prefix.length - 1]! + n);
  return input.ranges.map(([from, to]) => {
    const a = Math.max(1, from);
    const b = Math.min(lines.length, to);
    return 1 + (b >= a ? prefix[b]! - prefix[a - 1]! : 0);
  });
}

/** Many files in one worker task, read here; `abs` is a path the caller resolved through the workspace jail. */
export async function complexityOfFiles(
  files: { rel: string; abs: string; ranges: (readonly [number, number])[] }[],
): Promise<number[][]> {
  const out: number[][] = [];
  for (const f of files) {
    const text = await readFile(f.abs, 'utf8').catch(() => '');
    out.push(await complexityHere({ rel: f.rel, text, ranges: f.ranges }));
  }
  return out;
}
