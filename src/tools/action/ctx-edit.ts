import { z } from 'zod';
import { editFile, MAX_EDIT_BYTES } from '../../engine/edit/edit-file.ts';
import { defineTool } from '../define-tool.ts';

export const ctxEdit = defineTool({
  name: 'ctx_edit',
  description:
    'Edit a workspace file: replace a unique old_string with new_string (or every one with replace_all), or create a new file. Refused when the file changed since you last read it.',
  scope: 'exec',
  exec: true,
  input: z.object({
    path: z.string().min(1).max(4096).describe('File path relative to the workspace root'),
    old_string: z
      .string()
      .max(MAX_EDIT_BYTES)
      .optional()
      .describe('Exact text to replace; must be unique unless replace_all'),
    new_string: z.string().max(MAX_EDIT_BYTES).describe('Replacement text (the whole content with create)'),
    replace_all: z.boolean().default(false),
    create: z.boolean().default(false).describe('Create a new file with new_string as its content'),
  }),
  async run(args, ctx) {
    const out = await editFile(ctx, {
      path: args.path,
      oldString: args.old_string,
      newString: args.new_string,
      replaceAll: args.replace_all,
      create: args.create,
    });
    ctx.emit('file_edited', { path: out.rel, created: out.created, replacements: out.replacements });
    const what = out.created
      ? 'created'
      : `${out.replacements} replacement${out.replacements === 1 ? '' : 's'}`;
    return `${out.rel}: ${what}, +${out.added} -${out.removed} lines, now ${out.lines} lines`;
  },
});
