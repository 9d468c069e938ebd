import type { Tool } from '../define-tool.ts';
import { ctxCall } from './ctx-call.ts';
import { ctxDiscoverTools } from './ctx-discover-tools.ts';
import { ctxMetrics } from './ctx-metrics.ts';

export const metaTools: Tool[] = [ctxCall, ctxDiscoverTools, ctxMetrics];
