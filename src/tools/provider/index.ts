import type { Tool } from '../define-tool.ts';
import { ctxProvider } from './ctx-provider.ts';

/** Tools that read outside services (GitLab) for the workspace's project. */
export const providerTools: Tool[] = [ctxProvider];
