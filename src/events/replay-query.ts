import { AppError } from '../errors.ts';

/** What the original lean-ctx replayed when a client named no limit, and the most it allowed. */
export const DEFAULT_REPLAY_LIMIT = 200;
export const MAX_REPLAY_LIMIT = 1000;

/**
 * A query value a client meant as "not given": the original clients build their query with
 * `String(x)` / `str(x)`, so a missing number can arrive as `undefined`, `null` or `None`.
 */
function given(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const v = raw.trim();
  return v === '' || v === 'undefined' || v === 'null' || v === 'None' ? undefined : v;
}

/** `since` (else `Last-Event-ID`): replay events after this id; 0 when not given or negative. */
export function parseSince(query: string | undefined, lastEventId: string | undefined): number {
  const raw = given(query) ?? given(lastEventId);
  if (raw === undefined) return 0;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new AppError(
      'invalid_request',
      `since / Last-Event-ID must be an event id (an integer), got "${raw.slice(0, 40)}"; leave it out to replay from the start`,
    );
  }
  // the original's since was an i64: a negative one replayed from the start
  return Math.max(0, n);
}

/**
 * `limit`: how many stored events a replay sends, clamped to 1..`max` as the original
 * clamped it; not a number is a 400.
 */
export function parseLimit(query: string | undefined, name: string, fallback: number, max: number): number {
  const raw = given(query);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    throw new AppError(
      'invalid_request',
      `${name} must be an integer from 1 to ${max}, got "${raw.slice(0, 40)}"`,
    );
  }
  return Math.min(Math.max(Number(raw), 1), max);
}
