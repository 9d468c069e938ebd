/** The smell rules, each with the threshold it reports past. */
export const SMELL_RULES = {
  dead_code: {
    threshold: 0,
    describe: () =>
      'exported top-level symbol no file imports or calls by name (entrypoints, tests, index/main files excluded)',
  },
  long_function: { threshold: 80, describe: (t: number) => `function or method longer than ${t} lines` },
  long_file: { threshold: 500, describe: (t: number) => `file longer than ${t} lines` },
  god_file: {
    threshold: 30,
    describe: (t: number) =>
      `file with at least ${t} symbols and at least ${GOD_FILE_LINKS} files importing it or imported by it`,
  },
  fan_out_skew: {
    threshold: 15,
    describe: (t: number) => `function or method calling at least ${t} distinct names`,
  },
  duplicate_definitions: {
    threshold: 2,
    describe: (t: number) => `top-level function/class/type name defined in at least ${t} non-test files`,
  },
  untested_function: {
    threshold: 0,
    describe: () => 'exported top-level function that no test file calls or imports by name',
  },
  cyclomatic_complexity: {
    threshold: 10,
    describe: (t: number) =>
      `function or method with McCabe complexity over ${t} (1 + if/elif/case/when/for/while/catch/except/&&/||/??/and/or/ternary, by token scan with comments and strings blanked)`,
  },
} as const;

/** Import links (fan-in + fan-out, in files) a god file has besides its symbols. */
export const GOD_FILE_LINKS = 15;

export type SmellRule = keyof typeof SMELL_RULES;
export const SMELL_RULE_NAMES = Object.keys(SMELL_RULES) as SmellRule[];

export interface SmellFinding {
  rule: SmellRule;
  file: string;
  line: number;
  /** The symbol the finding is about; undefined for a whole file. */
  symbol?: string;
  /** The measured figure (lines, symbols, callees, complexity, files). */
  metric?: number;
  message: string;
}
