import type { Tool } from '../define-tool.ts';
import { ctxKnowledge } from './ctx-knowledge.ts';
import { ctxKnowledgeRelations } from './ctx-knowledge-relations.ts';

export const knowledgeTools: Tool[] = [ctxKnowledge, ctxKnowledgeRelations];
