import type { Tool } from '../define-tool.ts';
import { ctxAnalyze } from './ctx-analyze.ts';
import { ctxBenchmark } from './ctx-benchmark.ts';
import { ctxCache } from './ctx-cache.ts';
import { ctxCompress } from './ctx-compress.ts';
import { ctxContext } from './ctx-context.ts';
import { ctxDedup } from './ctx-dedup.ts';
import { ctxDelta } from './ctx-delta.ts';
import { ctxFill } from './ctx-fill.ts';
import { ctxMultiRead } from './ctx-multi-read.ts';
import { ctxOutline } from './ctx-outline.ts';
import { ctxRead } from './ctx-read.ts';
import { ctxSmartRead } from './ctx-smart-read.ts';
import { ctxSymbol } from './ctx-symbol.ts';

export const readTools: Tool[] = [
  ctxRead,
  ctxMultiRead,
  ctxSmartRead,
  ctxDelta,
  ctxOutline,
  ctxSymbol,
  ctxFill,
  ctxDedup,
  ctxAnalyze,
  ctxBenchmark,
  ctxCompress,
  ctxContext,
  ctxCache,
];
