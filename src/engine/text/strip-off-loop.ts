import { ToolError } from '../../errors.ts';
import { runEngineTask } from '../workers/engine-pool.ts';
import { WorkerDeadlineError } from '../workers/worker-pool.ts';
import { STRIP_INLINE_MAX_CHARS, type StripMode, type StripResult, stripFiller } from './strip-filler.ts';

/** How long one strip may run on a worker before it is given up. */
const STRIP_DEADLINE_MS = 10_000;

/** stripFiller, on an engine worker for anything but a small text. */
export async function stripFillerOffLoop(
  text: string,
  mode: StripMode,
  signal?: AbortSignal,
): Promise<StripResult> {
  if (text.length <= STRIP_INLINE_MAX_CHARS) return stripFiller(text, mode);
  try {
    return await runEngineTask('stripFiller', { text, mode }, { signal, deadlineMs: STRIP_DEADLINE_MS });
  } catch (err) {
    if (err instanceof WorkerDeadlineError) {
      throw new ToolError(
        `stripping ${text.length} characters took longer than ${STRIP_DEADLINE_MS / 1000} s and was stopped; send the text in smaller parts`,
      );
    }
    throw err;
  }
}
