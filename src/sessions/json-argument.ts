import type { z } from 'zod';
import { AppError } from '../errors.ts';

/**
 * A JSON argument (text, or a value already parsed) checked against its schema, or a 400
 * invalid_arguments naming `field` and the path of what is wrong: `spec.initial: …`.
 */
export function parseJsonArgument<T>(
  raw: unknown,
  schema: z.ZodType<T>,
  field: string,
  what: string,
  suffix = '',
): T {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new AppError(
        'invalid_arguments',
        `${field}: not valid JSON (${(err as Error).message})${suffix}`,
        {
          issues: [{ path: field, message: 'not valid JSON' }],
        },
      );
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: [field, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`);
  throw new AppError('invalid_arguments', `${what}: ${shown.join('; ')}${suffix}`, { issues });
}
