import { ToolError } from '../../errors.ts';
import { DEFAULT_MODEL, formatUsd, MODEL_PRICES } from '../../governance/prices.ts';
import type { Pricing } from '../../reports/savings.ts';
import type { ToolContext } from '../define-tool.ts';

/** What the economics tools share: pricing from the governance profile, the call's workspace, number formats. */

/**
 * The profile's model and price (what budgets charge), or `model` from the documented table
 * (src/governance/prices.ts: USD per million input tokens).
 */
export async function pricingOf(ctx: ToolContext, model: string | undefined): Promise<Pricing> {
  const status = await ctx.budget?.();
  const profile: Pricing = status
    ? { model: status.model, usdPerMillionTokens: status.usdPerMillionTokens }
    : { model: DEFAULT_MODEL, usdPerMillionTokens: MODEL_PRICES[DEFAULT_MODEL] as number };
  if (model === undefined || model === profile.model) return profile;
  const price = MODEL_PRICES[model];
  if (price === undefined) {
    throw new ToolError(
      `no price for model "${model}"; use one of ${Object.keys(MODEL_PRICES).join(', ')}, or omit model for the profile's ${profile.model}`,
    );
  }
  return { model, usdPerMillionTokens: price };
}

export const scopeOf = (ctx: ToolContext) => [ctx.workspace.id];

export const n = (x: number): string => Math.round(x).toLocaleString('en-US');
export const usdText = formatUsd;

export const PERIOD_WORDS = { week: 'the last 7 days', month: 'the last 30 days', all: 'all time' } as const;
