import type { Tool } from '../define-tool.ts';
import { ctxExpand } from './ctx-expand.ts';
import { ctxOverview } from './ctx-overview.ts';
import { ctxPrefetch } from './ctx-prefetch.ts';
import { ctxPreload } from './ctx-preload.ts';
import { ctxSearch } from './ctx-search.ts';
import { ctxSemanticSearch } from './ctx-semantic-search.ts';
import { ctxTree } from './ctx-tree.ts';

export const searchTools: Tool[] = [
  ctxSearch,
  ctxTree,
  ctxOverview,
  ctxExpand,
  ctxSemanticSearch,
  ctxPreload,
  ctxPrefetch,
];
