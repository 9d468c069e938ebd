import type { z } from 'zod';

/** Bad configuration: every problem with its field path, in one message. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `\n  - ${problems.join('\n  - ')}`}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** `a.b[2].c`: where a problem is, the way the file spells it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

/** One line per schema problem: its path and what is wrong. */
export function issueProblems(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${where}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return `${where}: ${issue.message}`;
  });
}
