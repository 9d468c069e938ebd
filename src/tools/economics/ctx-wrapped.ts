import { z } from 'zod';
import { PERIODS } from '../../reports/economics.ts';
import { defineTool } from '../define-tool.ts';
import { wrappedText } from './ctx-gain.ts';
import { pricingOf } from './economics-context.ts';

/** Deprecated alias of `ctx_gain action=wrapped`. */
export const ctxWrapped = defineTool({
  name: 'ctx_wrapped',
  description: 'Deprecated alias of ctx_gain action=wrapped: the period’s savings card.',
  scope: 'search',
  readOnly: true,
  input: z.object({ period: z.enum(PERIODS).default('all') }),
  async run(args, ctx) {
    return wrappedText(ctx, args.period, await pricingOf(ctx, undefined));
  },
});
