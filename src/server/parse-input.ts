import type { z } from 'zod';
import { AppError } from '../errors.ts';

/** The first issue as `where: what`, for a 400 that names the field. */
export function describeIssue(error: z.ZodError, fallback = '(body)'): string {
  const issue = error.issues[0];
  const where = issue?.path.join('.') || fallback;
  const what =
    issue?.code === 'unrecognized_keys'
      ? `unknown key ${issue.keys.join(', ')}`
      : (issue?.message ?? 'invalid');
  return `${where}: ${what}`;
}

/** Parses a route's query string with its documented schema; a bad value is 400 invalid_request. */
export function parseQuery<S extends z.ZodObject>(schema: S, query: Record<string, string>): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) {
    throw new AppError('invalid_request', `query parameter ${describeIssue(parsed.error, '(query)')}`);
  }
  return parsed.data;
}
