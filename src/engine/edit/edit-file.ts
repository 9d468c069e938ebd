import { createHash } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ToolError } from '../../errors.ts';
import { contextScope, readCacheOf } from '../read/cache.ts';
import { countChanges, diffLines, formatCompactDiff } from '../read/line-diff.ts';
import { splitLines } from '../read/line-ranges.ts';
import { countLines, READ_LIMITS } from '../read/load-file.ts';
import type { ReadContext } from '../read/read-file.ts';
import { isSecretPath } from '../secrets.ts';
import { defineWorkspaceService } from '../workspace.ts';
import { writeFileAtomic } from './atomic-write.ts';

/** The largest file an edit reads or writes: the same as a whole-file read. */
export const MAX_EDIT_BYTES = READ_LIMITS.wholeBytes;
/** Lines of changed file shown when an edit is refused as stale. */
const MAX_STALE_LINES = 60;

export interface EditRequest {
  path: string;
  oldString?: string | undefined;
  newString: string;
  replaceAll: boolean;
  create: boolean;
}

export interface EditOutcome {
  rel: string;
  replacements: number;
  created: boolean;
  added: number;
  removed: number;
  lines: number;
}

/** Edits of one path run one after another, so two cannot both read the old bytes. */
const editQueues = defineWorkspaceService('edit queue', () => new Map<string, Promise<unknown>>());

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function occurrences(text: string, needle: string): number[] {
  const at: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) at.push(i);
  return at;
}

const firstLines = (text: string) => {
  const lines = text.split('\n');
  const shown = lines.slice(0, MAX_STALE_LINES).join('\n');
  return lines.length > MAX_STALE_LINES ? `${shown}\n… ${lines.length - MAX_STALE_LINES} more lines` : shown;
};

/**
 * One edit through the workspace jail, refused when the file changed since this context
 * last received it, written atomically; the context's read cache then holds the new bytes.
 */
export function editFile(ctx: ReadContext, req: EditRequest): Promise<EditOutcome> {
  const { abs, rel } = ctx.workspace.jail.resolve(req.path);
  if (isSecretPath(rel)) {
    throw new ToolError(
      `"${rel}" looks like a secret file (.env, key, credentials); edits of it are refused`,
    );
  }
  const queues = editQueues(ctx.workspace);
  const previous = queues.get(rel) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => editResolved(ctx, req, abs, rel));
  const settled = run.catch(() => {});
  queues.set(rel, settled);
  void settled.then(() => {
    if (queues.get(rel) === settled) queues.delete(rel);
  });
  return run;
}

async function editResolved(
  ctx: ReadContext,
  req: EditRequest,
  abs: string,
  rel: string,
): Promise<EditOutcome> {
  if (Buffer.byteLength(req.newString) > MAX_EDIT_BYTES) {
    throw new ToolError(`new_string is larger than ${MAX_EDIT_BYTES} bytes; write the file in smaller edits`);
  }
  const info = await stat(abs).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ToolError(`"${rel}" cannot be read (${err.code})`);
  });
  const cache = readCacheOf(ctx.workspace);
  const scope = contextScope(ctx.agentId, ctx.contextId);
  if (req.create) {
    if (req.oldString !== undefined) throw new ToolError('give either create: true or old_string, not both');
    if (info) {
      throw new ToolError(
        `"${rel}" already exists; edit it with old_string and new_string instead of create`,
      );
    }
    await mkdir(dirname(abs), { recursive: true });
    await writeFileAtomic(abs, req.newString);
    if (scope !== undefined) cache.setFull(scope, rel, sha256(req.newString), req.newString);
    const lines = countLines(req.newString);
    return { rel, replacements: 0, created: true, added: lines, removed: 0, lines };
  }
  if (!info) throw new ToolError(`"${rel}" does not exist; give create: true to make a new file`);
  if (!info.isFile()) throw new ToolError(`"${rel}" is not a regular file`);
  if (info.size > MAX_EDIT_BYTES) {
    throw new ToolError(
      `"${rel}" is ${info.size} bytes; ctx_edit handles files up to ${MAX_EDIT_BYTES} bytes`,
    );
  }
  if (req.oldString === undefined || req.oldString === '') {
    throw new ToolError(
      'old_string is required (the exact text to replace); or give create: true for a new file',
    );
  }
  const buf = await readFile(abs, { signal: ctx.signal });
  const text = buf.toString('utf8');
  if (buf.includes(0) || !Buffer.from(text, 'utf8').equals(buf)) {
    throw new ToolError(`"${rel}" is not UTF-8 text; ctx_edit only changes text files`);
  }
  const hash = createHash('sha256').update(buf).digest('hex');
  const seen = scope === undefined ? undefined : cache.get(scope, rel);
  if (seen?.fullHash !== undefined && seen.fullHash !== hash) {
    const ops =
      seen.fullText === undefined ? undefined : diffLines(splitLines(seen.fullText), splitLines(text));
    const shown = ops
      ? `changes since then:\n${firstLines(formatCompactDiff(ops))}`
      : `current lines:\n${firstLines(text)}`;
    throw new ToolError(
      `"${rel}" changed since this context last read it (read #${seen.fullAt}); nothing was written. Re-read it with ctx_read and edit again; ${shown}`,
    );
  }
  const at = occurrences(text, req.oldString);
  if (at.length === 0) {
    throw new ToolError(
      `old_string was not found in "${rel}"; ctx_read the file and copy the exact text, whitespace included`,
    );
  }
  if (at.length > 1 && !req.replaceAll) {
    const lines = at.slice(0, 20).map((i) => lineOf(text, i));
    throw new ToolError(
      `old_string occurs ${at.length} times in "${rel}" (lines ${lines.join(', ')}); add surrounding text to make it unique, or give replace_all: true`,
    );
  }
  if (req.oldString === req.newString)
    throw new ToolError('old_string and new_string are the same; nothing to change');
  const next = req.replaceAll
    ? text.split(req.oldString).join(req.newString)
    : text.replace(req.oldString, () => req.newString);
  if (Buffer.byteLength(next) > MAX_EDIT_BYTES) {
    throw new ToolError(
      `the edited "${rel}" would be larger than ${MAX_EDIT_BYTES} bytes; nothing was written`,
    );
  }
  await writeFileAtomic(abs, next, info.mode & 0o7777);
  // The context wrote these bytes itself: it holds them, so the next read is a diff from here.
  if (scope !== undefined && seen?.fullHash !== undefined) cache.setFull(scope, rel, sha256(next), next);
  const { added, removed } = countChanges(diffLines(splitLines(text), splitLines(next)));
  return {
    rel,
    replacements: req.replaceAll ? at.length : 1,
    created: false,
    added,
    removed,
    lines: countLines(next),
  };
}
