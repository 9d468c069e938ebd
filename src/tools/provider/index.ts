import type { Tool } from '../define-tool.ts';
import { ctxDiscover } from './ctx-discover.ts';
import { ctxProvider } from './ctx-provider.ts';

/** Tools that read beyond the workspace's files: GitLab, the ctx_shell log and shell history. */
export const providerTools: Tool[] = [ctxProvider, ctxDiscover];
