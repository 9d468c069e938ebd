import type { Tool } from '../define-tool.ts';
import { ctxCallees } from './ctx-callees.ts';
import { ctxCallers } from './ctx-callers.ts';
import { ctxGraph } from './ctx-graph.ts';
import { ctxIndex } from './ctx-index.ts';
import { ctxPack } from './ctx-pack.ts';
import { ctxReview } from './ctx-review.ts';
import { ctxRoutes } from './ctx-routes.ts';
import { ctxSmells } from './ctx-smells.ts';

export const graphTools: Tool[] = [
  ctxGraph,
  ctxCallers,
  ctxCallees,
  ctxIndex,
  ctxRoutes,
  ctxSmells,
  ctxPack,
  ctxReview,
];
