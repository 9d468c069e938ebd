import type { Tool } from '../define-tool.ts';
import { ctxRead } from './ctx-read.ts';

export const readTools: Tool[] = [ctxRead];
