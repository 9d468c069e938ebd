import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { canonicalJson } from '../audit/canonical-json.ts';
import { AppError } from '../errors.ts';
import { parseJsonArgument } from './json-argument.ts';
import { SESSION_LIMITS } from './limits.ts';

const NOTHING = '; nothing was imported';

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
      `value: a ${what} export is at most ${SESSION_LIMITS.importChars} characters${NOTHING}`,
    );
  }
  const parsed = parseJsonArgument(text, schema, 'value', `not a ${what} export`, NOTHING);
  const hash = contentHash(parsed.content);
  if (hash !== parsed.sha256) {
    throw new AppError(
      'invalid_arguments',
      `value.sha256 does not match the content (content hashes to ${hash.slice(0, 16)}…): the export was changed or cut${NOTHING}`,
    );
  }
  return parsed;
}
