import { readFileSync } from 'node:fs';
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

interface SchemaNode {
  shape?: Record<string, unknown>;
  element?: unknown;
  unwrap?: () => unknown;
}

/** The keys the schema accepts at `path` (through optional, default and array wrappers). */
function keysAt(schema: unknown, path: readonly PropertyKey[]): string[] {
  let node = schema as SchemaNode | undefined;
  const unwrap = () => {
    while (node && !node.shape && !node.element && typeof node.unwrap === 'function') {
      node = node.unwrap() as SchemaNode;
    }
  };
  for (const key of path) {
    unwrap();
    node = (typeof key === 'number' ? node?.element : node?.shape?.[String(key)]) as SchemaNode | undefined;
  }
  unwrap();
  return Object.keys(node?.shape ?? {});
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** "unknown key "x" (did you mean "y"?)", or the keys accepted there. */
function unknownKeyMessage(keys: readonly string[], accepted: readonly string[]): string {
  const parts = keys.map((k) => {
    const near = accepted.find((a) => editDistance(k.toLowerCase(), a.toLowerCase()) <= 2);
    return near ? `"${k}" (did you mean "${near}"?)` : `"${k}"`;
  });
  const known = accepted.length > 0 ? `; known keys: ${accepted.join(', ')}` : '';
  return `unknown key${keys.length > 1 ? 's' : ''} ${parts.join(', ')}${known}`;
}

/** `a.b[2].c`: where a problem is, the way the file spells it. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    return acc ? `${acc}.${String(key)}` : String(key);
  }, '');
}

/** One line per problem of a config file: its path and what is wrong (an unknown key: what was meant). */
export function issueProblems(error: z.ZodError, schema: unknown): string[] {
  return error.issues.map((issue) => {
    const where = formatPath(issue.path) || '(top level)';
    if (issue.code === 'unrecognized_keys') {
      return `${where}: ${unknownKeyMessage(issue.keys, keysAt(schema, issue.path))}`;
    }
    return `${where}: ${issue.message}`;
  });
}

/** Reads the raw JSON of a config file, naming the file and position on a syntax error. */
export function readJsonFile(path: string, parse: (text: string) => unknown = JSON.parse): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'ENOENT' ? 'the file does not exist; create it or pass --config' : String(err);
    throw new ConfigError(path, [hint]);
  }
  try {
    return parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
}
