import type { Tool } from '../define-tool.ts';
import { ctxEdit } from './ctx-edit.ts';
import { ctxExecute } from './ctx-execute.ts';
import { ctxShell } from './ctx-shell.ts';

/** Tools that change the workspace: they need `allowExec` and the `exec` scope. */
export const actionTools: Tool[] = [ctxEdit, ctxShell, ctxExecute];
