import type { Tool } from '../define-tool.ts';
import { ctxTree } from './ctx-tree.ts';

export const searchTools: Tool[] = [ctxTree];
