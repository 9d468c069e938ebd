import type { Tool } from '../define-tool.ts';
import { ctxArchitecture } from './ctx-architecture.ts';
import { ctxCallees } from './ctx-callees.ts';
import { ctxCallers } from './ctx-callers.ts';
import { ctxCallgraph } from './ctx-callgraph.ts';
import { ctxGraph } from './ctx-graph.ts';
import { ctxGraphDiagram } from './ctx-graph-diagram.ts';
import { ctxImpact } from './ctx-impact.ts';
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
  ctxCallgraph,
  ctxImpact,
  ctxGraphDiagram,
  ctxArchitecture,
];
