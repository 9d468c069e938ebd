/**
 * What a compressed command output must still hold, read from the raw output alone and written
 * apart from the code under test: every error, warning or failure line and every `file:line`
 * (or `file(line,col)`) place. The agent never sees colour, so ANSI codes are not part of it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;
const PROBLEM = /\b(error|errors|warning|warnings|fail|failed|not ok|panic|fatal)\b/i;
const PLACE = /[\w./-]+\.\w+(:\d+|\(\d+,\d+\))/g;

export function oracleOf(raw: string): string[] {
  const clean = raw.replace(ANSI, '');
  const lines = clean
    .split('\n')
    .filter((l) => PROBLEM.test(l))
    .map((l) => l.trim())
    .filter((l) => l !== '');
  return [...new Set([...lines, ...(clean.match(PLACE) ?? [])])];
}

/** The oracle items of `raw` that `shown` lost. */
export const lostFrom = (raw: string, shown: string): string[] => {
  const seen = shown.replace(ANSI, '');
  return oracleOf(raw).filter((must) => !seen.includes(must));
};
