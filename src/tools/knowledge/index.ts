import type { Tool } from '../define-tool.ts';
import { ctxKnowledge } from './ctx-knowledge.ts';

export const knowledgeTools: Tool[] = [ctxKnowledge];
