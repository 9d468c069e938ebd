import { runEngineTask } from '../workers/engine-pool.ts';
import { STRIP_INLINE_MAX_CHARS, type StripMode, type StripResult, stripFiller } from './strip-filler.ts';

/** How long one strip may run on a worker before it is given up. */
const STRIP_DEADLINE_MS = 10_000;

/** stripFiller, on an engine worker for anything but a small text. */
export function stripFillerOffLoop(
  text: string,
  mode: StripMode,
  signal?: AbortSignal,
): Promise<StripResult> {
  if (text.length <= STRIP_INLINE_MAX_CHARS) return Promise.resolve(stripFiller(text, mode));
  return runEngineTask('stripFiller', { text, mode }, { signal, deadlineMs: STRIP_DEADLINE_MS });
}
