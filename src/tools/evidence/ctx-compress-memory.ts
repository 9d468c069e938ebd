import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../../engine/edit/atomic-write.ts';
import { isSecretPath } from '../../engine/secrets.ts';
import { stripFillerOffLoop } from '../../engine/text/strip-off-loop.ts';
import { countTokensAsync } from '../../engine/tokens.ts';
import { ToolError } from '../../errors.ts';
import { defineTool } from '../define-tool.ts';

/** The largest memory file compressed (README: Limits). */
export const MAX_MEMORY_BYTES = 512 * 1024;

/** Agent instruction files: Markdown and text, or a `.*rules` dotfile. */
const MEMORY_FILE = /(?:\.(?:md|mdc|markdown|txt)|^\.[\w-]*rules)$/i;

/** `CLAUDE.md` → `CLAUDE.original.md`; `.cursorrules` → `.cursorrules.original.md`. */
export function backupNameOf(name: string): string {
  return /\.md$/i.test(name) ? `${name.slice(0, -3)}.original.md` : `${name}.original.md`;
}

export const ctxCompressMemory = defineTool({
  name: 'ctx_compress_memory',
  description:
    'Compress an agent memory file (CLAUDE.md, AGENTS.md, .cursorrules) in place, keeping code, URLs, paths, headings and tables; the original is kept beside it as <name>.original.md.',
  scope: 'exec',
  exec: true,
  input: z.object({
    path: z.string().min(1).max(4096).describe('The memory file, relative to the workspace root'),
    overwrite_backup: z
      .boolean()
      .default(false)
      .describe('Replace an existing <name>.original.md (it may hold an earlier, longer original)'),
  }),
  async run(args, ctx) {
    const { abs, rel } = ctx.workspace.jail.resolve(args.path);
    const name = basename(rel);
    if (isSecretPath(rel)) throw new ToolError(`"${rel}" looks like a secret file; it is not compressed`);
    if (!MEMORY_FILE.test(name) || /\.original\.md$/i.test(name)) {
      throw new ToolError(
        `"${rel}" is not a memory file: give CLAUDE.md, AGENTS.md, .cursorrules or another .md/.txt/.*rules file (not a .original.md backup)`,
      );
    }
    const info = await stat(abs).catch(() => undefined);
    if (!info?.isFile()) throw new ToolError(`"${rel}" does not exist or is not a regular file`);
    if (info.size > MAX_MEMORY_BYTES) {
      throw new ToolError(
        `"${rel}" is ${info.size} bytes; ctx_compress_memory takes files up to ${MAX_MEMORY_BYTES} bytes`,
      );
    }
    const buf = await readFile(abs, { signal: ctx.signal });
    const text = buf.toString('utf8');
    if (buf.includes(0) || !Buffer.from(text, 'utf8').equals(buf))
      throw new ToolError(`"${rel}" is not UTF-8 text`);

    const stripped = await stripFillerOffLoop(text, 'memory', ctx.signal);
    const before = await countTokensAsync(text, ctx.signal);
    const after = await countTokensAsync(stripped.text, ctx.signal);
    if (stripped.text === text || after >= before) {
      return `${rel}: nothing to compress (${before} tok o200k); the file and any backup were left as they were`;
    }

    const backupRel = join(dirname(rel), backupNameOf(name));
    const backup = ctx.workspace.jail.resolve(backupRel);
    let backupNote: string;
    try {
      await writeFile(backup.abs, buf, { flag: args.overwrite_backup ? 'w' : 'wx', mode: info.mode & 0o777 });
      backupNote = `original saved as ${backup.rel}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      backupNote = `${backup.rel} already existed and was kept as it was (it holds an earlier original); overwrite_backup=true replaces it`;
    }
    await writeFileAtomic(abs, stripped.text, info.mode & 0o7777);
    ctx.emit('file_edited', { path: rel, compressed: true });
    const saved = before - after;
    return [
      `${rel}: ${before} → ${after} tok o200k (${saved} saved, ${Math.round((saved / before) * 100)}%); ${stripped.sentencesDropped} sentences dropped, ${stripped.phrasesCut} phrases cut, ${stripped.linesDropped} lines dropped`,
      backupNote,
    ].join('\n');
  },
});
