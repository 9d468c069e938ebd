import { createHash } from 'node:crypto';

export const MAX_TOOL_NAME_LENGTH = 64;
export const TOOL_NAME_SEPARATOR = '__';
const SAFE = /^[A-Za-z0-9_-]+$/;

function hashOf(server: string, tool: string): string {
  return createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 8);
}

/**
 * `<server>__<tool>`, safe for every major client: at most 64 characters of
 * `[A-Za-z0-9_-]`. When the plain name does not fit or had to be altered, a hash of the
 * original pair is appended, so the name is stable and two tools never share one.
 */
export function namespacedToolName(server: string, tool: string): string {
  const plain = `${server}${TOOL_NAME_SEPARATOR}${tool}`;
  if (plain.length <= MAX_TOOL_NAME_LENGTH && SAFE.test(plain)) return plain;
  const cleaned = plain.replace(/[^A-Za-z0-9_-]/g, '_');
  const suffix = `_${hashOf(server, tool)}`;
  return `${cleaned.slice(0, MAX_TOOL_NAME_LENGTH - suffix.length)}${suffix}`;
}

export function isSafeToolName(name: string): boolean {
  return name.length <= MAX_TOOL_NAME_LENGTH && SAFE.test(name);
}
