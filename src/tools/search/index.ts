import type { Tool } from '../define-tool.ts';
import { ctxExpand } from './ctx-expand.ts';
import { ctxSearch } from './ctx-search.ts';
import { ctxSemanticSearch } from './ctx-semantic-search.ts';
import { ctxTree } from './ctx-tree.ts';

export const searchTools: Tool[] = [ctxSearch, ctxTree, ctxExpand, ctxSemanticSearch];
