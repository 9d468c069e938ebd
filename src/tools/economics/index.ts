import type { Tool } from '../define-tool.ts';
import { ctxCost } from './ctx-cost.ts';
import { ctxFeedback } from './ctx-feedback.ts';
import { ctxGain } from './ctx-gain.ts';
import { ctxHeatmap } from './ctx-heatmap.ts';
import { ctxWrapped } from './ctx-wrapped.ts';

export const economicsTools: Tool[] = [ctxGain, ctxWrapped, ctxCost, ctxHeatmap, ctxFeedback];
