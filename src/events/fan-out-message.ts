import type { EventRecord } from '../store/types.ts';

/**
 * The events of one fan-out message from another replica, oldest first: `{r, es}` (a batch,
 * the form this version sends) or `{r, e}` (one event, what replicas before it send, so a
 * rolling upgrade keeps streaming); 'resync' when the sender could not fit an event in the
 * message (read the store). Nothing for this replica's own messages or a malformed one.
 */
export function parseFanOutMessage(message: string, ownOrigin: string): EventRecord[] | 'resync' {
  let parsed: { r?: unknown; e?: EventRecord; es?: EventRecord[]; resync?: boolean };
  try {
    parsed = JSON.parse(message) as typeof parsed;
  } catch {
    return [];
  }
  if (parsed.r === ownOrigin) return [];
  if (parsed.resync === true) return 'resync';
  if (Array.isArray(parsed.es)) return parsed.es;
  return parsed.e ? [parsed.e] : [];
}
