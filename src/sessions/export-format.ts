import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { canonicalJson } from '../audit/canonical-json.ts';
import { AppError } from '../errors.ts';
import { SESSION_LIMITS } from './limits.ts';

/** sha256 (hex) of a value's RFC 8785 canonical JSON: equal content, equal hash. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex');
}

/**
 * An export handed back to `import`, parsed whole before anything is applied: valid JSON,
 * the schema, and `sha256` matching the hash of `content`. Anything else is refused as
 * invalid_arguments naming what is wrong, so a bad import changes nothing.
 */
export function parseExport<T extends { sha256: string; content: unknown }>(
  text: string,
  schema: z.ZodType<T>,
  what: string,
): T {
  if (text.length > SESSION_LIMITS.importChars) {
    throw new AppError(
      'invalid_arguments',
      `value: a ${what} export is at most ${SESSION_LIMITS.importChars} characters`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError(
      'invalid_arguments',
      `value: not a ${what} export: not valid JSON (${(err as Error).message}); nothing was imported`,
    );
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({
      path: ['value', ...i.path.map(String)].join('.'),
      message: i.message,
    }));
    throw new AppError(
      'invalid_arguments',
      `not a ${what} export: ${issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ')}; nothing was imported`,
      { issues },
    );
  }
  const hash = contentHash(parsed.data.content);
  if (hash !== parsed.data.sha256) {
    throw new AppError(
      'invalid_arguments',
      `value.sha256 does not match the content (content hashes to ${hash.slice(0, 16)}…): the export was changed or cut; nothing was imported`,
    );
  }
  return parsed.data;
}
