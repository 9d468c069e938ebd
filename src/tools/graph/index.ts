import type { Tool } from '../define-tool.ts';
import { ctxArchitecture } from './ctx-architecture.ts';
import { ctxCallees } from './ctx-callees.ts';
import { ctxCallers } from './ctx-callers.ts';
import { ctxCallgraph } from './ctx-callgraph.ts';
import { ctxGraph } from './ctx-graph.ts';
import { ctxGraphDiagram } from './ctx-graph-diagram.ts';
import { ctxImpact } from './ctx-impact.ts';
import { ctxIndex } from './ctx-index.ts';

export const graphTools: Tool[] = [
  ctxGraph,
  ctxCallers,
  ctxCallees,
  ctxIndex,
  ctxCallgraph,
  ctxImpact,
  ctxGraphDiagram,
  ctxArchitecture,
];
