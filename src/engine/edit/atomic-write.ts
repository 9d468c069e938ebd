import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `text` to `abs` so that a reader sees the old bytes or the new ones, never half:
 * a temp file in the same directory (same file system), then a rename over the target.
 * An existing file keeps its permission bits.
 */
export async function writeFileAtomic(abs: string, text: string, mode?: number): Promise<void> {
  const tmp = join(dirname(abs), `.${basename(abs)}.leanctx-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: mode ?? 0o644, flush: true });
    // the umask may have cut bits off the requested mode
    if (mode !== undefined && ((await stat(tmp)).mode & 0o7777) !== mode) await chmod(tmp, mode);
    await rename(tmp, abs);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
